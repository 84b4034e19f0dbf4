package io.stare.p4.bmv2;

/**
 * Where a switch's P4Runtime server is known to depart from the specification that
 * {@link P4RuntimeConformance} checks. Each was found by running the suite against that switch; a
 * test that meets one asserts what the switch does instead, or is skipped with this description,
 * so the report says where and how a reference implementation differs. docs/dataplane.md lists them.
 */
enum SpecDeviation {

    /** §5.3 (v1.1 on) asks for no primary until an ID at least the highest seen arrives. */
    BACKUP_PROMOTED("when the primary leaves, the remaining stream with the highest election ID is promoted "
            + "(\"Is primary\"), although a higher ID was seen: P4Runtime 1.0's rule"),
    /** §5.3 and §15: roles are configured per device; unknown ones are NOT_FOUND, a stream's role is fixed. */
    ROLES_UNCHECKED("role names are not checked: a Write or pipeline push naming an unknown role succeeds, and "
            + "a live stream that arbitrates for another role is not ended"),
    /** §16: a malformed packet-out is answered with a StreamError on the stream. */
    NO_STREAM_ERRORS("a packet-out it cannot use is dropped without a StreamError"),
    /** §9.1: priority must be 0 on tables without ternary/range/optional keys; is_const is read-only. */
    WRITE_FIELDS_UNCHECKED("a table entry with a priority on an exact-match table, or with is_const set, is "
            + "inserted"),
    /** §9: an update or read entity with no entity set is INVALID_ARGUMENT. */
    EMPTY_ENTITY_UNKNOWN("an empty entity in a Write or a Read is refused with UNKNOWN, not INVALID_ARGUMENT"),
    /** §8.4 (read-write symmetry): what is written is read back, opaque fields included. */
    GROUP_METADATA_DROPPED("a multicast group entry's metadata is not kept: a Read returns the group without it"),
    /** §9.5.2: a clone session carries a class of service, written and read back. */
    CLONE_CLASS_OF_SERVICE_REFUSED("a clone session with a class of service other than 0 is refused with UNKNOWN"),
    /** §9.1 (Read): an ID the P4Info lacks is NOT_FOUND, as in a Write. */
    UNKNOWN_TABLE_INVALID("a Read naming a table ID the P4Info lacks fails with INVALID_ARGUMENT, not NOT_FOUND");

    private final String description;

    SpecDeviation(String description) {
        this.description = description;
    }

    String description() {
        return description;
    }
}
