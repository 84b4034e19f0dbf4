package io.stare.datapath;

import java.util.Arrays;

/** The ports of one data path by id; ids are never reused. Only the data path's thread writes it. */
final class PortTable {

    private volatile Port[] ports = new Port[0];

    Port get(int id) {
        Port[] all = ports;
        if (id < 0 || id >= all.length) {
            throw new IllegalArgumentException("no port " + id + " (this data path has " + all.length + ")");
        }
        return all[id];
    }

    int size() {
        return ports.length;
    }

    int nextId() {
        return ports.length;
    }

    void add(Port port) {
        Port[] grown = Arrays.copyOf(ports, ports.length + 1);
        grown[port.id] = port;
        ports = grown;
    }

    Port[] all() {
        return ports;
    }
}
