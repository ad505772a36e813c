package dev.clusterdns.proxy;

/** Every UDP test again on the NIO transport (the fallback when epoll is unavailable). */
class NioUdpProxyTest extends UdpProxyTest {
    @Override
    ProxyConfig baseConfig() {
        return super.baseConfig().withNativeTransport(false);
    }
}
