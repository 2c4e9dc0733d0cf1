package org.intravis.streamer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The clients of one stream, as both fan-outs read them: by variant (the video fan-out encodes only variants someone
 * wants), those that take text (overlays, alerts, heat maps), and those that joined since the last frame.
 * <p>
 * Changes come from the clients' event loops (join, leave, subscribe): rare, so they take a lock and publish new
 * copy-on-write arrays. The video thread and the inference thread read them with one volatile load each per
 * frame, never the lock, so a client connecting can never hold a frame back.
 */
final class Subscribers {
    static final ClientSession[] NONE = new ClientSession[0];

    private final Object lock = new Object();
    private volatile ClientSession[][] byVariant = empty();
    private volatile ClientSession[] textClients = NONE;
    private volatile ClientSession[] all = NONE;
    private final ConcurrentLinkedQueue<ClientSession> joiners = new ConcurrentLinkedQueue<>();

    // ======== changes (event loops) ========

    void add(ClientSession s) {
        synchronized (lock) {
            rebuild(s, null);
        }
        joiners.add(s);
    }

    void remove(ClientSession s) {
        synchronized (lock) {
            rebuild(null, s);
        }
    }

    /** Moves a session to another variant. */
    void changeVariant(ClientSession s, Variant v) {
        synchronized (lock) {
            s.changeVariant(v);
            rebuild(null, null);
        }
    }

    void changeWants(ClientSession s, boolean overlay, boolean heatmap) {
        synchronized (lock) {
            s.wants(overlay, heatmap);
            rebuild(null, null);
        }
    }

    /** Forgets everyone and returns who was there (the caller closes them). */
    ClientSession[] clear() {
        synchronized (lock) {
            ClientSession[] was = all;
            all = NONE;
            textClients = NONE;
            byVariant = empty();
            joiners.clear();
            return was;
        }
    }

    private void rebuild(ClientSession added, ClientSession removed) {
        List<ClientSession> list = new ArrayList<>(Arrays.asList(all));
        if (added != null) {
            list.add(added);
        }
        if (removed != null) {
            list.remove(removed);
        }
        ClientSession[][] nv = new ClientSession[Variant.COUNT][];
        for (Variant v : Variant.values()) {
            nv[v.ordinal()] = list.stream().filter(c -> c.variant() == v).toArray(ClientSession[]::new);
        }
        textClients = list.stream().filter(c -> c.transport().carriesText()).toArray(ClientSession[]::new);
        byVariant = nv;
        all = list.toArray(NONE);
    }

    private static ClientSession[][] empty() {
        ClientSession[][] nv = new ClientSession[Variant.COUNT][];
        Arrays.fill(nv, NONE);
        return nv;
    }

    // ======== reads (any thread, no lock) ========

    /** Every variant's clients, indexed by {@link Variant#ordinal()}; one volatile read. */
    ClientSession[][] byVariant() {
        return byVariant;
    }

    /** Clients whose transport carries text messages. */
    ClientSession[] textClients() {
        return textClients;
    }

    ClientSession[] all() {
        return all;
    }

    /** The next client that joined since it was last asked (the video thread sends each the current overlay). */
    ClientSession pollJoiner() {
        return joiners.poll();
    }
}
