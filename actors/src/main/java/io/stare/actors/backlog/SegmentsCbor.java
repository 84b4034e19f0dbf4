package io.stare.actors.backlog;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.segment.Segment;
import io.stare.protocol.segment.SegmentBlock;
import java.io.IOException;
import java.util.List;

/**
 * How a list of segments is written in CBOR where many travel together (a backlog's journal events
 * and snapshots, Appends between controller nodes): one binary {@link SegmentBlock} instead of a map
 * of six named fields per segment, which cost the controller more CPU than the backlog itself at
 * 100,000 updates/s. Reading also accepts the old form (an array of segment maps), so journals
 * written before still replay.
 */
public final class SegmentsCbor {

    private SegmentsCbor() {
    }

    /** Writes the list as one binary value. */
    public static final class Writer extends StdSerializer<List<Segment>> {
        @SuppressWarnings({"unchecked", "rawtypes"})
        public Writer() {
            super((Class<List<Segment>>) (Class) List.class);
        }

        @Override
        public void serialize(List<Segment> segments, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeBinary(SegmentBlock.encode(segments));
        }
    }

    /** Reads a binary block, or the array of segment maps written before blocks existed. */
    public static final class Reader extends StdDeserializer<List<Segment>> {
        public Reader() {
            super(List.class);
        }

        @Override
        public List<Segment> deserialize(JsonParser in, DeserializationContext context) throws IOException {
            if (in.currentToken() == JsonToken.START_ARRAY) {
                JavaType legacy = context.getTypeFactory().constructCollectionType(List.class, Segment.class);
                return context.readValue(in, legacy);
            }
            DecodeResult<List<Segment>> decoded = SegmentBlock.decode(in.getBinaryValue());
            if (!decoded.isOk()) {
                return context.reportInputMismatch(this, "not a segment block: %s", decoded.errorOrNull());
            }
            return decoded.orElseThrow();
        }
    }
}
