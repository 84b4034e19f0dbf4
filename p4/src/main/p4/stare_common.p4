/*
 * STARE: headers, parser, checksums and deparser shared by both data-plane programs.
 * The behaviour they implement is specified in docs/dataplane.md; the software switch
 * (io.stare.p4.pipeline) implements the same and the tests hold the two to it.
 */
#ifndef STARE_COMMON_P4
#define STARE_COMMON_P4

#include <core.p4>
#include <v1model.p4>

#ifndef STARE_PORTS
#define STARE_PORTS 8
#endif

#define CPU_PORT 255
#define CPU_CLONE_SESSION 100
#define MAX_REGISTER_VALUES 8

const bit<16> ETHERTYPE_IPV4 = 0x0800;
const bit<8>  IP_PROTO_UDP = 17;
const bit<16> STARE_UDP_PORT = 65432;
const bit<8>  STARE_PROTO_ID = 239;

const bit<2> KIND_PUBLISH = 0;
const bit<2> KIND_SUB_ACK = 1;
const bit<2> KIND_SUB_REMOVE = 2;
const bit<2> KIND_SUB_REGISTER = 3;

/* Packet-in reasons. */
const bit<7> REASON_SUB_PUNT = 1;
const bit<7> REASON_SUB_ACK = 2;
const bit<7> REASON_SUB_PROPAGATED = 3;
const bit<7> REASON_STATE_CHANGED = 4;
const bit<7> REASON_REGISTER_VALUES = 5;

/* Packet-out operations. */
const bit<8> OP_FORWARD = 0;
const bit<8> OP_READ = 1;
const bit<8> OP_WRITE = 2;
const bit<8> OP_SET_CLONE_FLAG = 3;

/* Indexes of the drops counter. */
const bit<32> DROP_MALFORMED = 0;
const bit<32> DROP_STATE_OUT_OF_RANGE = 1;
const bit<32> DROP_NO_SUBSCRIBER = 2;
const bit<32> DROP_TTL_EXPIRED = 3;
const bit<32> DROP_NO_ROUTE = 4;
const bit<32> DROP_NOT_IPV4 = 5;
const bit<32> DROP_BAD_ETHERNET = 6;
const bit<32> DROP_BAD_PACKET_OUT = 7;

const bit<48> IPV4_MULTICAST_MAC = 0x01005e000000;

typedef bit<STARE_PORTS> port_mask_t;

@controller_header("packet_in")
header packet_in_t {
    bit<9>  ingress_port;
    bit<7>  reason;
    bit<8>  count;
    bit<32> index;
    bit<32> value;
}

@controller_header("packet_out")
header packet_out_t {
    bit<8>  op;
    bit<9>  egress_port;
    bit<7>  _pad;
    bit<8>  count;
    bit<32> index;
}

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

header ipv4_t {
    bit<4>  version;
    bit<4>  ihl;
    bit<8>  diffserv;
    bit<16> total_len;
    bit<16> identification;
    bit<3>  flags;
    bit<13> frag_offset;
    bit<8>  ttl;
    bit<8>  protocol;
    bit<16> hdr_checksum;
    bit<32> src_addr;
    bit<32> dst_addr;    /* STARE: PROTO_ID (8) | M_K (2) | STATE_ID (22) */
}

/* IPv4 options (IHL 6..15): parsed so checksums cover them and STARE packets carrying them are
   recognised, as the software switch does. */
header ipv4_options_t {
    varbit<320> options;
}

header udp_t {
    bit<16> src_port;
    bit<16> dst_port;
    bit<16> length;
    bit<16> checksum;
}

/* The 8-byte STARE header, see docs/protocol.md. */
header stare_t {
    bit<2>  kind;
    bit<22> state_id;
    bit<16> update_no;
    bit<10> vnf_id;
    bit<7>  tot_seg_minus_one;
    bit<7>  segm_no;
}

header register_value_t {
    bit<32> value;
}

struct headers_t {
    packet_in_t  packet_in;
    packet_out_t packet_out;
    register_value_t[MAX_REGISTER_VALUES] values;
    ethernet_t   ethernet;
    ipv4_t       ipv4;
    ipv4_options_t ipv4_options;
    udp_t        udp;
    stare_t      stare;
}

struct metadata_t {
    /* What a clone to the CPU reports; preserved across the clone by field list 1. */
    @field_list(1) bit<9>  cpu_ingress_port;
    @field_list(1) bit<7>  cpu_reason;
    @field_list(1) bit<32> cpu_index;
    @field_list(1) bit<32> cpu_value;
    bit<8>  values_to_parse;
    bool    from_cpu;          /* a packet-out: sent exactly as the controller built it */
    bool    is_publish;        /* a multicast publish: egress prunes the ingress port */
    bool    is_sub;            /* a SUB message: egress turns the ingress port's copy into the ack */
    bit<9>  sub_ingress_port;
}

parser StareParser(packet_in packet, out headers_t hdr, inout metadata_t meta,
                   inout standard_metadata_t standard_metadata) {
    state start {
        meta.values_to_parse = 0;
        meta.is_publish = false;
        meta.is_sub = false;
        meta.from_cpu = false;
        transition select(standard_metadata.ingress_port) {
            CPU_PORT: parse_packet_out;
            default: parse_ethernet;
        }
    }

    state parse_packet_out {
        packet.extract(hdr.packet_out);
        transition select(hdr.packet_out.op) {
            OP_FORWARD: parse_ethernet;
            OP_WRITE: start_values;
            default: accept;
        }
    }

    /* A WRITE carries `count` 32-bit values; more than MAX_REGISTER_VALUES is refused in ingress. */
    state start_values {
        meta.values_to_parse = hdr.packet_out.count;
        transition select(meta.values_to_parse) {
            0: accept;
            default: parse_values;
        }
    }

    state parse_values {
        packet.extract(hdr.values.next);
        meta.values_to_parse = meta.values_to_parse - 1;
        transition select(meta.values_to_parse) {
            0: accept;
            default: parse_values;
        }
    }

    state parse_ethernet {
        packet.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            ETHERTYPE_IPV4: parse_ipv4;
            default: accept;
        }
    }

    state parse_ipv4 {
        packet.extract(hdr.ipv4);
        transition select(hdr.ipv4.version, hdr.ipv4.ihl) {
            (4, 5): parse_l4;
            (4, 6 &&& 0xe): parse_ipv4_options;   /* 6, 7 */
            (4, 8 &&& 0x8): parse_ipv4_options;   /* 8..15 */
            default: accept;                      /* ingress refuses it */
        }
    }

    state parse_ipv4_options {
        packet.extract(hdr.ipv4_options, ((bit<32>) hdr.ipv4.ihl - 5) * 32);
        transition parse_l4;
    }

    state parse_l4 {
        transition select(hdr.ipv4.protocol) {
            IP_PROTO_UDP: parse_udp;
            default: accept;
        }
    }

    /* Only UDP to port 65432 towards 239/8 is STARE; other UDP is routed untouched. */
    state parse_udp {
        packet.extract(hdr.udp);
        transition select(hdr.ipv4.dst_addr[31:24], hdr.udp.dst_port) {
            (STARE_PROTO_ID, STARE_UDP_PORT): parse_stare;
            default: accept;
        }
    }

    state parse_stare {
        packet.extract(hdr.stare);
        transition accept;
    }
}

control StareVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply {
        verify_checksum(hdr.ipv4.isValid(),
            { hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.diffserv, hdr.ipv4.total_len,
              hdr.ipv4.identification, hdr.ipv4.flags, hdr.ipv4.frag_offset, hdr.ipv4.ttl,
              hdr.ipv4.protocol, hdr.ipv4.src_addr, hdr.ipv4.dst_addr, hdr.ipv4_options.options },
            hdr.ipv4.hdr_checksum, HashAlgorithm.csum16);
        /* A zero UDP checksum means "not computed" (RFC 768). */
        verify_checksum_with_payload(hdr.stare.isValid() && hdr.udp.checksum != 0,
            { hdr.ipv4.src_addr, hdr.ipv4.dst_addr, 8w0, hdr.ipv4.protocol, hdr.udp.length,
              hdr.udp.src_port, hdr.udp.dst_port, hdr.udp.length,
              hdr.stare.kind, hdr.stare.state_id, hdr.stare.update_no, hdr.stare.vnf_id,
              hdr.stare.tot_seg_minus_one, hdr.stare.segm_no },
            hdr.udp.checksum, HashAlgorithm.csum16);
    }
}

control StareComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply {
        update_checksum(hdr.ipv4.isValid() && !meta.from_cpu,
            { hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.diffserv, hdr.ipv4.total_len,
              hdr.ipv4.identification, hdr.ipv4.flags, hdr.ipv4.frag_offset, hdr.ipv4.ttl,
              hdr.ipv4.protocol, hdr.ipv4.src_addr, hdr.ipv4.dst_addr, hdr.ipv4_options.options },
            hdr.ipv4.hdr_checksum, HashAlgorithm.csum16);
    }
}

control StareDeparser(packet_out packet, in headers_t hdr) {
    apply {
        packet.emit(hdr.packet_in);
        packet.emit(hdr.values);
        packet.emit(hdr.ethernet);
        packet.emit(hdr.ipv4);
        packet.emit(hdr.ipv4_options);
        packet.emit(hdr.udp);
        packet.emit(hdr.stare);
    }
}

#endif
