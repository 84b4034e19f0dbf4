/*
 * STARE, embedded-controller mode (v1model): SUB messages go to the switch's local controller
 * (the switch agent) as packet-ins; it writes an exact-match entry state -> multicast group and
 * the group itself over P4Runtime, answers the SUB-ack and propagates with packet-outs.
 * Publishes are matched in the data plane. Capacity is the table size, not a register array.
 *
 * Compile-time parameter: STATE_TABLE_SIZE (default 65536).
 */
#include "stare_common.p4"

#ifndef STATE_TABLE_SIZE
#define STATE_TABLE_SIZE 65536
#endif

control StareEmbeddedIngress(inout headers_t hdr, inout metadata_t meta,
                             inout standard_metadata_t standard_metadata) {

    counter(8, CounterType.packets) drops;

    action drop_counted(bit<32> reason) {
        drops.count(reason);
        mark_to_drop(standard_metadata);
    }

    action set_group(bit<16> group) {
        standard_metadata.mcast_grp = group;
    }

    action drop_no_subscriber() {
        drop_counted(DROP_NO_SUBSCRIBER);
    }

    /* The state forwarding table: STATE_ID -> multicast group of the subscriber ports. */
    table state_forwarding {
        key = { hdr.stare.state_id: exact; }
        actions = { set_group; drop_no_subscriber; }
        default_action = drop_no_subscriber();
        size = STATE_TABLE_SIZE;
    }

    action forward(bit<9> port) {
        standard_metadata.egress_spec = port;
    }

    action drop_no_route() {
        drop_counted(DROP_NO_ROUTE);
    }

    table ipv4_lpm {
        key = { hdr.ipv4.dst_addr: lpm; }
        actions = { forward; drop_no_route; }
        default_action = drop_no_route();
        size = 1024;
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

    apply {
        if (hdr.packet_out.isValid()) {
            /* The local controller only ever sends frames out of a port. */
            if (hdr.packet_out.op == OP_FORWARD && hdr.packet_out.egress_port < STARE_PORTS
                    && hdr.ethernet.isValid()) {
                standard_metadata.egress_spec = hdr.packet_out.egress_port;
                hdr.packet_out.setInvalid();
                meta.from_cpu = true;
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
        if (kind == KIND_SUB_ACK) {
            to_cpu(REASON_SUB_ACK);
        } else if (kind != KIND_PUBLISH) {
            /* The controller only sees SUB messages it may act on. */
            if (hdr.ipv4.ttl <= 1) {
                drop_counted(DROP_TTL_EXPIRED);
            } else {
                to_cpu(REASON_SUB_PUNT);
            }
        } else {
            switch (state_forwarding.apply().action_run) {
                set_group: {
                    if (hdr.ipv4.ttl <= 1) {
                        drop_counted(DROP_TTL_EXPIRED);
                    } else {
                        hdr.ipv4.ttl = hdr.ipv4.ttl - 1;
                        meta.is_publish = true;
                        meta.sub_ingress_port = standard_metadata.ingress_port;
                    }
                }
            }
        }
    }
}

control StareEmbeddedEgress(inout headers_t hdr, inout metadata_t meta,
                            inout standard_metadata_t standard_metadata) {
    apply {
        /* A group lists every subscriber port; never send a publish back where it came from. */
        if (meta.is_publish && standard_metadata.egress_port == meta.sub_ingress_port) {
            mark_to_drop(standard_metadata);
        }
    }
}

@pkginfo(name="stare_embedded", version="1.0.0", organization="STARE")
V1Switch(StareParser(), StareVerifyChecksum(), StareEmbeddedIngress(), StareEmbeddedEgress(),
         StareComputeChecksum(), StareDeparser()) main;
