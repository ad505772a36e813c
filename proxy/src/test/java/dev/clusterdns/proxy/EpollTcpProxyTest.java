package dev.clusterdns.proxy;

/** Every TCP test again on native epoll (`--proxy-transport epoll`). */
class EpollTcpProxyTest extends TcpProxyTest {
    @Override
    ProxyConfig baseConfig() throws java.io.IOException {
        return super.baseConfig().withNativeTransport(true);
    }
}
