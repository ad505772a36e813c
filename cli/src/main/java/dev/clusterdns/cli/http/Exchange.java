package dev.clusterdns.cli.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One HTTP request and its answer: either a whole reply, or a stream (chunked) that stays open until
 * either side closes it, as a watch does. Exactly one of {@link #reply} or {@link #stream} per request.
 */
public final class Exchange {
    private final Channel channel;
    private final String method;
    private final RequestPath target;
    private final FullHttpRequest request;
    private final byte[] body;
    private final Runnable done;
    private final AtomicBoolean answered = new AtomicBoolean();

    Exchange(Channel channel, FullHttpRequest request, RequestPath target, Runnable done) {
        this.channel = channel;
        this.method = request.method().name();
        this.target = target;
        this.request = request;
        byte[] b = new byte[request.content().readableBytes()];
        request.content().getBytes(request.content().readerIndex(), b);
        this.body = b;
        this.done = done;
    }

    public String method() {
        return method;
    }

    /** The decoded path, never with `.` or `..` segments. */
    public String path() {
        return target.path();
    }

    /** The first value of a query parameter, or null. */
    public String param(String name) {
        return target.param(name);
    }

    /** A request header, or null. */
    public String header(String name) {
        return request.headers().get(name);
    }

    public byte[] body() {
        return body.clone();
    }

    public void reply(int status, String contentType, String text) {
        reply(status, contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    public void reply(int status, String contentType, byte[] bytes) {
        claim();
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(bytes));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setContentLength(resp, bytes.length);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(resp, keepAlive);
        var f = channel.writeAndFlush(resp);
        if (keepAlive) {
            f.addListener((ChannelFutureListener) x -> done.run());
        } else {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Starts a chunked response that ends when {@link Stream#close()} is called or the client goes away. */
    public Stream stream(int status, String contentType) {
        claim();
        HttpResponse resp = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        resp.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        channel.attr(HttpEndpoint.STREAMING).set(Boolean.TRUE);
        channel.writeAndFlush(resp);
        return new Stream(channel);
    }

    private void claim() {
        if (!answered.compareAndSet(false, true)) {
            throw new IllegalStateException("already answered " + method + " " + path());
        }
    }

    boolean answered() {
        return answered.get();
    }

    /** An open chunked response. Thread-safe: Netty queues writes on the channel's loop. */
    public static final class Stream implements AutoCloseable {
        private final Channel channel;

        Stream(Channel channel) {
            this.channel = channel;
        }

        /**
         * Sends one chunk; false once the client is gone. A client that stops reading (the write
         * buffer passes its high-water mark) is cut off rather than buffered for without bound.
         */
        public boolean write(String chunk) {
            if (!channel.isActive()) {
                return false;
            }
            if (!channel.isWritable()) {
                channel.close();
                return false;
            }
            channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(chunk, StandardCharsets.UTF_8)));
            return true;
        }

        /** Ends the stream after {@code d} (a watch's timeoutSeconds). */
        public void closeAfter(java.time.Duration d) {
            channel.eventLoop().schedule(this::close, d.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        public boolean isOpen() {
            return channel.isActive();
        }

        /** Runs {@code r} once when the connection closes (client gone or {@link #close()}). */
        public void onClose(Runnable r) {
            channel.closeFuture().addListener(f -> r.run());
        }

        @Override
        public void close() {
            if (channel.isActive()) {
                channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
