package dev.clusterdns.ingress.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** The controller's own answers: 404, 502, 503, 504 with a small HTML body, and the https redirect. */
final class Responses {
    private Responses() {}

    static FullHttpResponse error(HttpResponseStatus status, boolean head) {
        String title = status.code() + " " + status.reasonPhrase();
        String html = "<html>\n<head><title>" + title + "</title></head>\n<body>\n<h1>" + title
                + "</h1>\n<hr><p>clusterdns ingress</p>\n</body>\n</html>\n";
        ByteBuf body = Unpooled.copiedBuffer(html, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (head) {
            body.release();
        }
        return r;
    }

    /** 308 Permanent Redirect, ingress-nginx's default for a host with TLS reached over plain HTTP. */
    static FullHttpResponse redirect(String location, boolean head) {
        FullHttpResponse r = error(HttpResponseStatus.PERMANENT_REDIRECT, head);
        r.headers().set(HttpHeaderNames.LOCATION, location);
        return r;
    }

    static boolean mayHaveBody(int status, boolean head) {
        return !head && status >= 200 && status != 204 && status != 304;
    }

    static final CharSequence CHUNKED = HttpHeaderValues.CHUNKED;
}
