#!/usr/bin/env python3
"""Writes the scale data set: N namespace files ns-000.yaml ..., each with 100 Services and 1,500
ready Pods (15 per Service), as a cluster at the Kubernetes scale envelope would hold them.

    bench/scale_data.py DIR NAMESPACES

Service K of namespace Y: ClusterIP (allocated by clusterdns), selector app=svc-K, port 80/TCP named
http to targetPort 8080. Its Pods svc-K-0 .. svc-K-14: label app=svc-K, phase Running, Ready True,
one container with port 8080 named http, podIP from 10.128.0.0/9, unique across the whole set.
"""
import os
import sys

SERVICES_PER_NAMESPACE = 100
PODS_PER_SERVICE = 15

SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: svc-{k}
  namespace: {ns}
spec:
  type: ClusterIP
  selector:
    app: svc-{k}
  ports:
  - name: http
    port: 80
    protocol: TCP
    targetPort: 8080
---
"""

POD = """apiVersion: v1
kind: Pod
metadata:
  name: svc-{k}-{p}
  namespace: {ns}
  labels:
    app: svc-{k}
spec:
  containers:
  - name: app
    image: registry.example/app:1.0
    ports:
    - name: http
      containerPort: 8080
      protocol: TCP
status:
  phase: Running
  podIP: {ip}
  podIPs:
  - ip: {ip}
  conditions:
  - type: Ready
    status: "True"
---
"""


def namespace_name(y):
    return "ns-%03d" % y


def pod_ip(index):
    # 10.128.0.0/9 holds 8M addresses; skip .0 of every /24 so no address looks like a network.
    n = index + index // 255 + 1
    return "10.%d.%d.%d" % (128 + (n >> 16), (n >> 8) & 255, n & 255)


def namespace_text(y):
    ns = namespace_name(y)
    parts = []
    for k in range(SERVICES_PER_NAMESPACE):
        parts.append(SERVICE.format(k=k, ns=ns))
    base = y * SERVICES_PER_NAMESPACE * PODS_PER_SERVICE
    for k in range(SERVICES_PER_NAMESPACE):
        for p in range(PODS_PER_SERVICE):
            parts.append(POD.format(k=k, p=p, ns=ns, ip=pod_ip(base + k * PODS_PER_SERVICE + p)))
    return "".join(parts)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: scale_data.py DIR NAMESPACES")
    out, count = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    for y in range(count):
        with open(os.path.join(out, namespace_name(y) + ".yaml"), "w") as f:
            f.write(namespace_text(y))


if __name__ == "__main__":
    main()
