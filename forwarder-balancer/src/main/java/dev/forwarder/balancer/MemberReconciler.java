package dev.forwarder.balancer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes a pool's member list what DNS or a new config says it is, on the control thread and through
 * {@link PoolControl}'s transitions: a member whose address stays keeps its state, health, counters and
 * connections; one whose address is gone drains and leaves with its last connection; a new address joins with the
 * initial health. An address is a member's identity, whichever spec names it.
 */
final class MemberReconciler {

    private final PoolControl control;

    MemberReconciler(PoolControl control) {
        this.control = control;
    }

    /** The addresses hostname {@code spec} resolves to now. */
    void resolved(BackendSpec spec, List<InetAddress> addresses) {
        List<PoolMember> members = control.members();
        Set<InetAddress> fresh = new LinkedHashSet<>(addresses);
        for (PoolMember member : List.copyOf(members)) {
            if (member.spec() != spec) {
                continue;
            }
            if (fresh.remove(member.address().getAddress())) {
                if (member.draining) {
                    control.undrain(member, "reason=dns host=" + spec.host() + " back=true");
                }
            } else if (!member.draining) {
                control.drain(member, "reason=dns host=" + spec.host() + " gone=true");
            }
        }
        for (InetAddress address : fresh) {
            InetSocketAddress socketAddress = new InetSocketAddress(address, spec.port());
            if (members.stream().noneMatch(m -> m.address().equals(socketAddress))) {
                control.join(new PoolMember(spec, socketAddress, control.settings().maxConnections()),
                        insertionPoint(spec), "reason=dns");
            }
        }
    }

    /** After the last member of {@code spec} or of any spec before it: members stay in config order. */
    private int insertionPoint(BackendSpec spec) {
        List<BackendSpec> specs = control.specs();
        List<PoolMember> members = control.members();
        int specIndex = indexOf(specs, spec);
        int at = 0;
        for (int i = 0; i < members.size(); i++) {
            if (indexOf(specs, members.get(i).spec()) <= specIndex) {
                at = i + 1;
            }
        }
        return at;
    }

    /**
     * Reconciles the members with a new spec list (the control's settings are the new ones already). Literal and
     * new hostname specs come with their addresses; a hostname the pool had keeps the members it resolved to.
     *
     * @param checksChanged whether the health check changed, so that kept members' checks restart
     * @param settingsChanges the pool-wide changes, for the summary
     */
    PoolChanges reconfigure(List<BackendSpec> configured, Map<BackendSpec, List<InetSocketAddress>> addresses,
            boolean checksChanged, List<String> settingsChanges) {
        List<BackendSpec> previous = control.specs();
        // A spec equal to one the pool has stays that object: its resolver and its members know it by identity.
        List<BackendSpec> specs = configured.stream()
                .map(spec -> previous.stream().filter(spec::equals).findFirst().orElse(spec)).toList();
        Map<String, BackendSpec> byAuthority = new LinkedHashMap<>();
        specs.forEach(spec -> byAuthority.putIfAbsent(spec.authority(), spec));
        List<PoolMember> members = control.members();
        Map<InetSocketAddress, BackendSpec> wanted = new LinkedHashMap<>();
        for (BackendSpec spec : specs) {
            List<InetSocketAddress> resolved = addresses.get(spec);
            if (resolved != null) {
                resolved.forEach(address -> wanted.putIfAbsent(address, spec));
            } else {
                for (PoolMember member : members) {
                    if (!member.draining && member.spec().authority().equals(spec.authority())) {
                        wanted.putIfAbsent(member.address(), spec);
                    }
                }
            }
        }
        control.specs(specs);
        int poolLimit = control.settings().maxConnections();
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (PoolMember member : List.copyOf(members)) {
            BackendSpec spec = wanted.remove(member.address());
            if (spec == null) {
                BackendSpec sameHost = byAuthority.get(member.spec().authority());
                if (!member.draining) {
                    control.drain(member, "reason=config");
                    removed.add(member.name());
                } else if (sameHost != null) {
                    // Gone from DNS, under a hostname still configured: the resolver may bring it back.
                    member.respec(sameHost, poolLimit);
                }
                continue;
            }
            String diff = member.respec(spec, poolLimit);
            if (!diff.isEmpty()) {
                changed.add(member.name() + "(" + diff + ")");
                control.reweigh(member);
            }
            if (member.draining) {
                control.undrain(member, "reason=config back=true");
                added.add(member.name());
            } else if (checksChanged) {
                control.recheck(member);
            }
        }
        wanted.forEach((address, spec) -> {
            PoolMember member = new PoolMember(spec, address, poolLimit);
            control.join(member, members.size(), "reason=config");
            added.add(member.name());
        });
        // Config order; members that drain out of the config last.
        members.sort(Comparator.comparingInt(member -> {
            int index = indexOf(specs, member.spec());
            return index < 0 ? Integer.MAX_VALUE : index;
        }));
        return new PoolChanges(added, removed, changed, settingsChanges);
    }

    private static int indexOf(List<BackendSpec> specs, BackendSpec spec) {
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i) == spec) {
                return i;
            }
        }
        return -1;
    }
}
