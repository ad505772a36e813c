package dev.clusterdns.ingress.route;

/**
 * A host of an Ingress's `spec.tls`, with the Secret that holds its certificate.
 *
 * @param host an exact host or a `*.` wildcard
 * @param namespace the Ingress's namespace (the Secret lives there)
 * @param secretName the `kubernetes.io/tls` Secret, or null to use the default certificate
 * @param ingress the Ingress that named it, for messages
 */
public record TlsHost(String host, String namespace, String secretName, String ingress) {}
