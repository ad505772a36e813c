package dev.clusterdns.agent.endpoints;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.Endpoints.Address;
import dev.clusterdns.agent.model.Endpoints.Subset;
import dev.clusterdns.agent.model.ObjectReference;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** v1 Endpoints subsets: Kubernetes' `RepackSubsets` and the 1000-address capacity truncation. */
final class Subsets {
    /** Addresses one v1 Endpoints object may hold (ready plus not ready). */
    static final int MAX_CAPACITY = 1000;

    /** Stands for "no ports" so that a port-less subset (headless, zero ports) survives repacking. */
    private static final EndpointPort NO_PORTS = new EndpointPort(null, -1, null, null);

    private static final Comparator<String> NULLS_FIRST = Comparator.nullsFirst(Comparator.naturalOrder());

    /** Go's `bytes.Compare` on the IP text, then the address without targetRef, then by UID. */
    static final Comparator<Address> ADDRESS_ORDER = (a, b) -> {
        int c = compareBytes(a.ip(), b.ip());
        if (c != 0) {
            return c;
        }
        if (a.targetRef() == null || b.targetRef() == null) {
            return Boolean.compare(a.targetRef() != null, b.targetRef() != null);
        }
        return NULLS_FIRST.compare(a.targetRef().uid(), b.targetRef().uid());
    };

    /**
     * Port order inside a subset (hash-defined upstream, so any fixed order is faithful): by number,
     * then protocol, name and appProtocol.
     */
    static final Comparator<EndpointPort> PORT_ORDER = Comparator
            .comparing(EndpointPort::port, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(EndpointPort::protocol, NULLS_FIRST)
            .thenComparing(EndpointPort::name, NULLS_FIRST)
            .thenComparing(EndpointPort::appProtocol, NULLS_FIRST);

    private Subsets() {}

    /**
     * An address's identity, (ip, targetRef.uid), with the first full address seen under it. The uid
     * is read only when two addresses share an IP: a Pod's assigned uid is a name-based UUID worked
     * out on each read, and almost every address has an IP of its own.
     */
    private static final class AddressKey {
        final Address first;
        final String ip;
        private String uid;
        private boolean uidRead;

        AddressKey(Address first) {
            this.first = first;
            this.ip = first.ip();
        }

        private String uid() {
            if (!uidRead) {
                ObjectReference ref = first.targetRef();
                uid = ref == null ? null : ref.uid();
                uidRead = true;
            }
            return uid;
        }

        @Override
        public boolean equals(Object o) {
            return this == o || o instanceof AddressKey k && Objects.equals(ip, k.ip) && Objects.equals(uid(), k.uid());
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(ip);
        }
    }

    private record AddressReadiness(AddressKey key, boolean ready) {
        Address address() {
            return key.first;
        }
    }

    /**
     * Canonical subsets: every (address, port) with not-ready winning over ready; ports grouped by
     * the identical set of (address, readiness) they serve; addresses keyed by (ip, targetRef.uid)
     * with the first full address seen winning. Subsets that have ports but no addresses vanish.
     */
    static List<Subset> repack(List<Subset> subsets) {
        Map<AddressKey, AddressKey> firstSeen = new HashMap<>();
        Map<EndpointPort, Map<AddressKey, Boolean>> readinessByPort = new LinkedHashMap<>();
        for (Subset subset : subsets) {
            List<EndpointPort> ports = subset.ports().isEmpty() ? List.of(NO_PORTS) : subset.ports();
            for (EndpointPort port : ports) {
                map(subset.addresses(), port, true, firstSeen, readinessByPort);
                map(subset.notReadyAddresses(), port, false, firstSeen, readinessByPort);
            }
        }

        // Group ports by their (address, readiness) set; the key is that set in a canonical order.
        Map<List<Object>, Set<EndpointPort>> portsByAddressSet = new LinkedHashMap<>();
        Map<List<Object>, List<AddressReadiness>> addressesByKey = new HashMap<>();
        for (Map.Entry<EndpointPort, Map<AddressKey, Boolean>> e : readinessByPort.entrySet()) {
            List<AddressReadiness> members = new ArrayList<>();
            e.getValue().forEach((key, ready) -> members.add(new AddressReadiness(key, ready)));
            members.sort(Comparator.comparing(AddressReadiness::address, ADDRESS_ORDER)
                    .thenComparing(AddressReadiness::ready));
            List<Object> groupKey = new ArrayList<>(members.size());
            for (AddressReadiness m : members) {
                groupKey.add(List.of(m.key(), m.ready()));
            }
            addressesByKey.putIfAbsent(groupKey, members);
            Set<EndpointPort> ports = portsByAddressSet.computeIfAbsent(groupKey, k -> new TreeSet<>(PORT_ORDER));
            if (e.getKey() != NO_PORTS) {
                ports.add(e.getKey());
            }
        }

        List<Subset> result = new ArrayList<>(portsByAddressSet.size());
        portsByAddressSet.forEach((key, ports) -> {
            List<Address> ready = new ArrayList<>();
            List<Address> notReady = new ArrayList<>();
            for (AddressReadiness m : addressesByKey.get(key)) {
                (m.ready() ? ready : notReady).add(m.address());
            }
            result.add(new Subset(ready, notReady, new ArrayList<>(ports)));
        });
        result.sort(Subsets::compareSubsets);
        return result;
    }

    private static void map(List<Address> addresses, EndpointPort port, boolean ready,
            Map<AddressKey, AddressKey> firstSeen, Map<EndpointPort, Map<AddressKey, Boolean>> readinessByPort) {
        for (Address a : addresses) {
            AddressKey fresh = new AddressKey(a);
            AddressKey seen = firstSeen.putIfAbsent(fresh, fresh);
            AddressKey key = seen == null ? fresh : seen;
            Map<AddressKey, Boolean> readiness = readinessByPort.computeIfAbsent(port, p -> new LinkedHashMap<>());
            // Not ready always trumps ready.
            readiness.merge(key, ready, (was, now) -> was && now);
        }
    }

    /** Subset order is hash-defined upstream; ours: by ports, then by addresses, ready before not ready. */
    private static int compareSubsets(Subset a, Subset b) {
        int c = compareLists(a.ports(), b.ports(), PORT_ORDER);
        if (c != 0) {
            return c;
        }
        c = compareLists(a.addresses(), b.addresses(), ADDRESS_ORDER);
        return c != 0 ? c : compareLists(a.notReadyAddresses(), b.notReadyAddresses(), ADDRESS_ORDER);
    }

    private static <T> int compareLists(List<T> a, List<T> b, Comparator<T> order) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = order.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    /** Go's `bytes.Compare` on IP text: IP literals are ASCII, where UTF-16 order is byte order. */
    private static int compareBytes(String a, String b) {
        return Objects.toString(a, "").compareTo(Objects.toString(b, ""));
    }

    /**
     * Kubernetes' `truncateEndpoints`: null when the subsets fit in {@link #MAX_CAPACITY}, else the
     * truncated subsets. Ready addresses are kept whole when they fit and the not-ready ones share
     * the room left, each subset in order getting ceil(its share × room) capped by what is still
     * free; otherwise the not-ready ones are all dropped and the ready ones share the room that way.
     */
    static List<Subset> truncated(List<Subset> subsets) {
        int totalReady = 0;
        int totalNotReady = 0;
        for (Subset s : subsets) {
            totalReady += s.addresses().size();
            totalNotReady += s.notReadyAddresses().size();
        }
        if (totalReady + totalNotReady <= MAX_CAPACITY) {
            return null;
        }
        boolean truncateReady = totalReady > MAX_CAPACITY;
        int room = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - totalReady;
        int total = truncateReady ? totalReady : totalNotReady;
        int canBeAdded = room;
        List<Subset> result = new ArrayList<>(subsets.size());
        for (Subset s : subsets) {
            int inSubset = truncateReady ? s.addresses().size() : s.notReadyAddresses().size();
            // Same float arithmetic as upstream, so the split matches to the address.
            int toBeAdded = (int) Math.ceil(((double) inSubset / (double) total) * (double) room);
            toBeAdded = Math.min(toBeAdded, canBeAdded);
            if (truncateReady) {
                List<Address> ready = s.addresses().subList(0, Math.min(toBeAdded, s.addresses().size()));
                result.add(new Subset(ready, List.of(), s.ports()));
                canBeAdded -= ready.size();
            } else {
                List<Address> notReady =
                        s.notReadyAddresses().subList(0, Math.min(toBeAdded, s.notReadyAddresses().size()));
                result.add(new Subset(s.addresses(), notReady, s.ports()));
                canBeAdded -= notReady.size();
            }
        }
        return result;
    }
}
