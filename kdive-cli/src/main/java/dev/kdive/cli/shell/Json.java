package dev.kdive.cli.shell;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.kdive.finding.Finding;
import dev.kdive.value.Hex;
import java.lang.reflect.RecordComponent;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Collection;
import java.util.Map;

/**
 * The one JSON mapper of kdive's renderers: core values (records) become JSON mechanically, their
 * components by name; components marked {@link Hex} print as "0x..." strings, as addresses are
 * written everywhere else in kdive's output; absent (null) components are left out.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper().setAnnotationIntrospector(new KdiveIntrospector())
            .registerModule(new SimpleModule("kdive").addSerializer(Finding.class, new FindingSerializer())
                    .addSerializer(Optional.class, new OptionalSerializer())
                    .addSerializer(OptionalLong.class, new OptionalLongSerializer())
                    .addSerializer(Instant.class, new InstantSerializer()));

    private Json() {
    }

    /** {@return the mapper} */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static final class KdiveIntrospector extends JacksonAnnotationIntrospector {
        private static final long serialVersionUID = 1L;

        @Override
        public Object findSerializer(Annotated a) {
            return a.hasAnnotation(Hex.class) ? new HexSerializer() : super.findSerializer(a);
        }

        @Override
        public JsonInclude.Value findPropertyInclusion(Annotated a) {
            JsonInclude.Value v = super.findPropertyInclusion(a);
            return a.getRawType() != null && isKdiveValue(a) ? v.withValueInclusion(JsonInclude.Include.NON_NULL) : v;
        }

        private static boolean isKdiveValue(Annotated a) {
            return a.getAnnotated() instanceof Class<?> c ? c.getName().startsWith("dev.kdive.")
                    : a.getAnnotated() instanceof java.lang.reflect.Member m && m.getDeclaringClass().getName().startsWith("dev.kdive.");
        }
    }

    /**
     * A finding: its kind, severity and summary (what every finding has), then its own components
     * by name, as records are written.
     */
    private static final class FindingSerializer extends JsonSerializer<Finding> {
        @Override
        public void serialize(Finding f, JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeStartObject();
            g.writeStringField("kind", f.kind());
            g.writeStringField("severity", f.severity().name().toLowerCase(java.util.Locale.ROOT));
            g.writeStringField("summary", f.summary());
            for (RecordComponent c : f.getClass().getRecordComponents()) {
                if (c.getName().equals("summary")) {
                    continue;
                }
                Object v;
                try {
                    v = c.getAccessor().invoke(f);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("reading " + c, e);
                }
                if (v == null) {
                    continue;
                }
                g.writeFieldName(c.getName());
                if (c.isAnnotationPresent(Hex.class)) {
                    new HexSerializer().serialize(v, g, provider);
                } else {
                    provider.defaultSerializeValue(v, g);
                }
            }
            g.writeEndObject();
        }
    }

    /** An absent value as null (left out of kdive's records), a present one as itself. */
    @SuppressWarnings("rawtypes")
    private static final class OptionalSerializer extends JsonSerializer<Optional> {
        @Override
        public void serialize(Optional value, JsonGenerator g, SerializerProvider provider) throws IOException {
            provider.defaultSerializeValue(value.orElse(null), g);
        }

        @Override
        public boolean isEmpty(SerializerProvider provider, Optional value) {
            return value.isEmpty();
        }
    }

    private static final class OptionalLongSerializer extends JsonSerializer<OptionalLong> {
        @Override
        public void serialize(OptionalLong value, JsonGenerator g, SerializerProvider provider) throws IOException {
            if (value.isPresent()) {
                g.writeNumber(value.getAsLong());
            } else {
                g.writeNull();
            }
        }

        @Override
        public boolean isEmpty(SerializerProvider provider, OptionalLong value) {
            return value.isEmpty();
        }
    }

    /** An instant in ISO-8601 UTC, "2026-11-24T20:27:42Z". */
    private static final class InstantSerializer extends JsonSerializer<Instant> {
        @Override
        public void serialize(Instant value, JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeString(value.toString());
        }
    }

    /** Longs (alone, in a collection, or as a map's values) as "0x..." strings. */
    private static final class HexSerializer extends JsonSerializer<Object> {
        @Override
        public void serialize(Object value, JsonGenerator g, SerializerProvider provider) throws IOException {
            switch (value) {
                case Long l -> g.writeString(dev.kdive.cli.shell.Hex.of(l)); // the cli's one spelling of an address
                case Integer i -> g.writeString(dev.kdive.cli.shell.Hex.of(i));
                case byte[] b -> g.writeString(java.util.HexFormat.of().formatHex(b)); // raw bytes: two hex digits each, as rd -8 and Code: print them
                case Collection<?> c -> {
                    g.writeStartArray();
                    for (Object o : c) {
                        serialize(o, g, provider);
                    }
                    g.writeEndArray();
                }
                case Map<?, ?> m -> {
                    g.writeStartObject();
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        g.writeFieldName(String.valueOf(e.getKey()));
                        serialize(e.getValue(), g, provider);
                    }
                    g.writeEndObject();
                }
                case null -> g.writeNull();
                default -> provider.defaultSerializeValue(value, g);
            }
        }
    }
}
