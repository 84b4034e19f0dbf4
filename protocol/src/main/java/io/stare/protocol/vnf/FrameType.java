package io.stare.protocol.vnf;

import java.util.HashMap;
import java.util.Map;

/**
 * The frame type byte of every {@link VnfMessage}: the one table of wire codes.
 *
 * <p>Codes are grouped: 0x0_ session, 0x1_ naming and subscriptions, 0x2_ state updates. Within a
 * group a request has an even code and its reply the next odd one. Code 0 is never used, so a
 * zeroed buffer is refused as {@code UNKNOWN_KIND}. A code, once assigned, never changes meaning;
 * new messages take new codes and a new protocol version.
 */
public enum FrameType {
    HELLO(0x01, VnfMessage.Hello.class),
    HELLO_ACK(0x02, VnfMessage.HelloAck.class),
    ERROR(0x03, VnfMessage.Error.class),

    REGISTER_VNF(0x10, VnfMessage.RegisterVnf.class),
    VNF_REGISTERED(0x11, VnfMessage.VnfRegistered.class),
    DECLARE_PUBLISH_STATE(0x12, VnfMessage.DeclarePublishState.class),
    STATE_DECLARED(0x13, VnfMessage.StateDeclared.class),
    LOOKUP_STATE(0x14, VnfMessage.LookupState.class),
    STATE_FOUND(0x15, VnfMessage.StateFound.class),
    SUBSCRIBE(0x16, VnfMessage.Subscribe.class),
    SUBSCRIBED(0x17, VnfMessage.Subscribed.class),
    UNSUBSCRIBE(0x18, VnfMessage.Unsubscribe.class),
    UNSUBSCRIBED(0x19, VnfMessage.Unsubscribed.class),
    LIST_STATES(0x1A, VnfMessage.ListStates.class),
    STATES_LISTED(0x1B, VnfMessage.StatesListed.class),

    PUBLISH(0x20, VnfMessage.Publish.class),
    PUBLISHED(0x21, VnfMessage.Published.class),
    DELIVER(0x22, VnfMessage.Deliver.class),
    LOSS_NOTICE(0x23, VnfMessage.LossNotice.class);

    private static final FrameType[] BY_CODE = new FrameType[256];
    private static final Map<Class<?>, FrameType> BY_CLASS = new HashMap<>();

    static {
        for (FrameType type : values()) {
            if (BY_CODE[type.code] != null) {
                throw new ExceptionInInitializerError("duplicate frame type code " + type.code);
            }
            BY_CODE[type.code] = type;
            BY_CLASS.put(type.messageClass, type);
        }
    }

    private final int code;
    private final Class<? extends VnfMessage> messageClass;

    FrameType(int code, Class<? extends VnfMessage> messageClass) {
        this.code = code;
        this.messageClass = messageClass;
    }

    /** The wire value, 1..255. */
    public int code() {
        return code;
    }

    /** The record this frame type carries. */
    public Class<? extends VnfMessage> messageClass() {
        return messageClass;
    }

    /** The frame type with this wire value (any int), or {@code null} when there is none. */
    public static FrameType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** The frame type a message travels as. */
    public static FrameType of(VnfMessage message) {
        // Every VnfMessage is a final record, so its exact class is always in the table.
        return BY_CLASS.get(message.getClass());
    }
}
