package dev.clusterdns.proxy;

/** Every TCP test again on the NIO transport (the fallback when epoll is unavailable). */
class NioTcpProxyTest extends TcpProxyTest {
    @Override
    ProxyConfig baseConfig() throws java.io.IOException {
        return super.baseConfig().withNativeTransport(false);
    }
}
