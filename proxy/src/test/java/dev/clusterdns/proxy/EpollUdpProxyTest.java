package dev.clusterdns.proxy;

/** Every UDP test again on native epoll (`--proxy-transport epoll`). */
class EpollUdpProxyTest extends UdpProxyTest {
    @Override
    ProxyConfig baseConfig() {
        return super.baseConfig().withNativeTransport(true);
    }
}
