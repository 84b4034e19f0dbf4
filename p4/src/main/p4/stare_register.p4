/*
 * STARE, register-based mode (v1model): the state forwarding table is a register array indexed
 * by STATE_ID holding a bitmask of the ports that lead to subscribers. Publishes are multicast to
 * that mask; SUB messages update it, are acknowledged and propagated along the distribution tree
 * by the aggregation rule of docs/dataplane.md, all in the data plane.
 *
 * Compile-time parameters: STARE_PORTS (default 8), STATE_CAPACITY (default 2048).
 */
#include "stare_common.p4"

#ifndef STATE_CAPACITY
#define STATE_CAPACITY 2048
#endif

/* P4 has no loops: a READ or WRITE of up to MAX_REGISTER_VALUES entries is unrolled. */
#define WRITE_VALUE(i) if (count > i) { state_ports.write(index + i, (port_mask_t) hdr.values[i].value); }
#define FITS(i) (hdr.packet_out.count <= i || (hdr.values[i].value >> STARE_PORTS) == 0)
#define VALUES_FIT (FITS(0) && FITS(1) && FITS(2) && FITS(3) && FITS(4) && FITS(5) && FITS(6) && FITS(7))
#define READ_VALUE(i) if (count > i) { port_mask_t v##i; state_ports.read(v##i, index + i); \
    hdr.values[i].setValid(); hdr.values[i].value = (bit<32>) v##i; }

control StareRegisterIngress(inout headers_t hdr, inout metadata_t meta,
                             inout standard_metadata_t standard_metadata) {

    register<port_mask_t>(STATE_CAPACITY) state_ports;
    /* State4 hook: while set, every change of state_ports is cloned to the CPU. */
    register<bit<1>>(1) clone_flag;
    counter(8, CounterType.packets) drops;

    port_mask_t tree_mask = 0;

    action set_tree_ports(port_mask_t mask) {
        tree_mask = mask;
    }

    /* The tree ports of this switch on the distribution tree, written by the switch agent. */
    table tree_ports {
        actions = { set_tree_ports; }
        default_action = set_tree_ports(0);
        size = 1;
    }

    action forward(bit<9> port) {
        standard_metadata.egress_spec = port;
    }

    action drop_no_route() {
        drops.count(DROP_NO_ROUTE);
        mark_to_drop(standard_metadata);
    }

    table ipv4_lpm {
        key = { hdr.ipv4.dst_addr: lpm; }
        actions = { forward; drop_no_route; }
        default_action = drop_no_route();
        size = 1024;
    }

    action drop_counted(bit<32> reason) {
        drops.count(reason);
        mark_to_drop(standard_metadata);
    }

    action to_cpu(bit<7> reason) {
        hdr.packet_in.setValid();
        hdr.packet_in.ingress_port = standard_metadata.ingress_port;
        hdr.packet_in.reason = reason;
        hdr.packet_in.count = 0;
        hdr.packet_in.index = 0;
        hdr.packet_in.value = 0;
        standard_metadata.egress_spec = CPU_PORT;
    }

    action reply_values() {
        /* Only the header and the values go back: anything after a READ's header is dropped. */
        truncate(11 + 4 * (bit<32>) hdr.packet_out.count);
        hdr.packet_in.setValid();
        hdr.packet_in.ingress_port = CPU_PORT;
        hdr.packet_in.reason = REASON_REGISTER_VALUES;
        hdr.packet_in.count = hdr.packet_out.count;
        hdr.packet_in.index = hdr.packet_out.index;
        hdr.packet_in.value = 0;
        hdr.packet_out.setInvalid();
        standard_metadata.egress_spec = CPU_PORT;
    }

    apply {
        if (hdr.packet_out.isValid()) {
            bit<8> op = hdr.packet_out.op;
            bit<32> index = hdr.packet_out.index;
            bit<8> count = hdr.packet_out.count;
            if (op == OP_FORWARD && hdr.packet_out.egress_port < STARE_PORTS && hdr.ethernet.isValid()) {
                standard_metadata.egress_spec = hdr.packet_out.egress_port;
                hdr.packet_out.setInvalid();
                meta.from_cpu = true;
            } else if (op == OP_SET_CLONE_FLAG && index <= 1) {
                clone_flag.write(0, (bit<1>) index[0:0]);
                mark_to_drop(standard_metadata);
            } else if (op == OP_WRITE && !VALUES_FIT) {
                /* All or nothing: one value with bits beyond the ports refuses the whole WRITE. */
                drop_counted(DROP_BAD_PACKET_OUT);
            } else if ((op == OP_READ || op == OP_WRITE) && count >= 1 && count <= MAX_REGISTER_VALUES
                       && index < STATE_CAPACITY && (bit<32>) count <= STATE_CAPACITY - index
                       && (op == OP_READ || standard_metadata.packet_length == 8 + 4 * (bit<32>) count)) {
                if (op == OP_WRITE) {
                    WRITE_VALUE(0)
                    WRITE_VALUE(1)
                    WRITE_VALUE(2)
                    WRITE_VALUE(3)
                    WRITE_VALUE(4)
                    WRITE_VALUE(5)
                    WRITE_VALUE(6)
                    WRITE_VALUE(7)
                }
                /* Both a READ and a WRITE are answered with the values now in the table. */
                READ_VALUE(0)
                READ_VALUE(1)
                READ_VALUE(2)
                READ_VALUE(3)
                READ_VALUE(4)
                READ_VALUE(5)
                READ_VALUE(6)
                READ_VALUE(7)
                reply_values();
            } else {
                drop_counted(DROP_BAD_PACKET_OUT);
            }
            return;
        }

        if (!hdr.ethernet.isValid() || hdr.ethernet.ether_type < 0x0600) {
            drop_counted(DROP_BAD_ETHERNET);
            return;
        }
        if (hdr.ethernet.ether_type != ETHERTYPE_IPV4) {
            drop_counted(DROP_NOT_IPV4);
            return;
        }
        /* The IPv4 checks every router makes: a whole, sane header with a right checksum. */
        if (!hdr.ipv4.isValid() || hdr.ipv4.version != 4 || hdr.ipv4.ihl < 5
                || (bit<32>) hdr.ipv4.total_len > standard_metadata.packet_length - 14
                || standard_metadata.checksum_error == 1) {
            drop_counted(DROP_MALFORMED);
            return;
        }

        bit<8>  proto_id = hdr.ipv4.dst_addr[31:24];
        bit<2>  kind = hdr.ipv4.dst_addr[23:22];
        bit<22> state = hdr.ipv4.dst_addr[21:0];
        if (proto_id == STARE_PROTO_ID && hdr.ipv4.protocol == IP_PROTO_UDP && !hdr.udp.isValid()) {
            drop_counted(DROP_MALFORMED);   /* UDP towards 239/8 too short for its header */
            return;
        }
        if (proto_id != STARE_PROTO_ID || !hdr.udp.isValid() || hdr.udp.dst_port != STARE_UDP_PORT) {
            switch (ipv4_lpm.apply().action_run) {
                forward: {
                    if (hdr.ipv4.ttl <= 1) {
                        drop_counted(DROP_TTL_EXPIRED);
                    } else {
                        hdr.ipv4.ttl = hdr.ipv4.ttl - 1;
                    }
                }
            }
            return;
        }
        if (!hdr.stare.isValid() || hdr.stare.kind != kind || hdr.stare.state_id != state
                || hdr.udp.length != hdr.ipv4.total_len - ((bit<16>) hdr.ipv4.ihl << 2)
                || hdr.stare.segm_no > hdr.stare.tot_seg_minus_one
                || hdr.ipv4.frag_offset != 0 || hdr.ipv4.flags[0:0] == 1) {
            drop_counted(DROP_MALFORMED);
            return;
        }
        if ((bit<32>) state >= STATE_CAPACITY) {
            drop_counted(DROP_STATE_OUT_OF_RANGE);
            return;
        }
        if (kind == KIND_SUB_ACK) {
            to_cpu(REASON_SUB_ACK);
            return;
        }
        tree_ports.apply();
        bit<9> p = standard_metadata.ingress_port;
        /* A port beyond the mask (never a subscriber) has no bit; BMv2 shifts by at most 8 bits. */
        port_mask_t in_bit = 0;
        if (p < STARE_PORTS) {
            in_bit = ((port_mask_t) 1) << (bit<8>) p;
        }
        port_mask_t old;
        state_ports.read(old, (bit<32>) state);

        if (kind == KIND_PUBLISH) {
            port_mask_t receivers = old & ~in_bit;
            if (receivers == 0) {
                drop_counted(DROP_NO_SUBSCRIBER);
            } else if (hdr.ipv4.ttl <= 1) {
                drop_counted(DROP_TTL_EXPIRED);
            } else {
                hdr.ipv4.ttl = hdr.ipv4.ttl - 1;
                standard_metadata.mcast_grp = (bit<16>) receivers;
            }
            return;
        }

        /* SUB-register or SUB-remove. A port the mask cannot name cannot subscribe. */
        if (p >= STARE_PORTS) {
            drop_counted(DROP_MALFORMED);
            return;
        }
        /* Checked before the state changes: an expired SUB has no effect and gets no ack. */
        if (hdr.ipv4.ttl <= 1) {
            drop_counted(DROP_TTL_EXPIRED);
            return;
        }
        hdr.ipv4.ttl = hdr.ipv4.ttl - 1;
        bool has = (old & in_bit) != 0;
        bool toggles = (kind == KIND_SUB_REGISTER) ? !has : has;
        port_mask_t rest = old & ~in_bit;
        port_mask_t candidate = 0;
        if (rest == 0) {
            candidate = ~rest;    /* all ones: nobody else was interested */
        } else if ((rest & (rest - 1)) == 0) {
            candidate = rest;
        }
        port_mask_t propagate = 0;
        port_mask_t updated = old;
        if (toggles) {
            propagate = tree_mask & ~in_bit & candidate;
            updated = (kind == KIND_SUB_REGISTER) ? (old | in_bit) : rest;
            state_ports.write((bit<32>) state, updated);
        }
        /* State4: while cloning, every applied SUB is reported, changed cell or not (a cell copied
           into a new pipeline may briefly hold an older value, on which the same SUB is a change). */
        bit<1> cloning;
        clone_flag.read(cloning, 0);
        if (propagate != 0 || cloning == 1) {
            meta.cpu_ingress_port = p;
            meta.cpu_reason = (propagate != 0) ? REASON_SUB_PROPAGATED : REASON_STATE_CHANGED;
            meta.cpu_index = (bit<32>) state;
            meta.cpu_value = (bit<32>) updated;
            clone_preserving_field_list(CloneType.I2E, CPU_CLONE_SESSION, 1);
        }
        /* The copy for the ingress port becomes the SUB-ack in egress; the others stay SUBs. */
        meta.is_sub = true;
        meta.sub_ingress_port = p;
        standard_metadata.mcast_grp = (bit<16>) (in_bit | propagate);
    }
}

control StareRegisterEgress(inout headers_t hdr, inout metadata_t meta,
                            inout standard_metadata_t standard_metadata) {
    apply {
        if (standard_metadata.instance_type == 1) {
            /* An ingress clone on its way to the CPU: report what ingress decided. */
            hdr.packet_in.setValid();
            hdr.packet_in.ingress_port = meta.cpu_ingress_port;
            hdr.packet_in.reason = meta.cpu_reason;
            hdr.packet_in.count = 0;
            hdr.packet_in.index = meta.cpu_index;
            hdr.packet_in.value = meta.cpu_value;
        } else if (meta.is_sub && standard_metadata.egress_port == meta.sub_ingress_port) {
            hdr.ipv4.dst_addr[23:22] = KIND_SUB_ACK;
            hdr.stare.kind = KIND_SUB_ACK;
            hdr.udp.checksum = 0;
            hdr.ethernet.dst_addr = IPV4_MULTICAST_MAC | (bit<48>) hdr.ipv4.dst_addr[22:0];
        }
    }
}

@pkginfo(name="stare_register", version="1.0.0", organization="STARE")
V1Switch(StareParser(), StareVerifyChecksum(), StareRegisterIngress(), StareRegisterEgress(),
         StareComputeChecksum(), StareDeparser()) main;
