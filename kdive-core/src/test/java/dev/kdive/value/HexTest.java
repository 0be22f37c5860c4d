package dev.kdive.value;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link Hex} is a promise to renderers: the component holds words they can print as 0x... (a
 * long or int, raw bytes, or collections and maps of longs). Every core record that makes the
 * promise keeps it, so a renderer never meets an @Hex String or record.
 */
class HexTest {
    private static final Set<Type> WORDS = Set.of(long.class, Long.class, int.class, Integer.class, byte[].class);

    @Test
    void everyHexComponentOfCoreHoldsWords() throws Exception {
        List<String> hex = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        Path classes = Path.of("target/classes");
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(f).toString().replace('/', '.').replaceFirst("\\.class$", "");
                Class<?> c = Class.forName(name, false, getClass().getClassLoader());
                if (!c.isRecord()) {
                    continue;
                }
                for (RecordComponent rc : c.getRecordComponents()) {
                    if (rc.isAnnotationPresent(Hex.class)) {
                        hex.add(c.getSimpleName() + "." + rc.getName());
                        if (!words(rc.getGenericType())) {
                            wrong.add(c.getName() + "." + rc.getName() + ": " + rc.getGenericType().getTypeName());
                        }
                    }
                }
            }
        }
        assertThat(hex).as("the records that use @Hex").contains("Frame.address", "SlabDamage.pointer", "Registers.values");
        assertThat(wrong).as("@Hex components a renderer cannot print as hex").isEmpty();
    }

    private static boolean words(Type t) {
        if (WORDS.contains(t)) {
            return true;
        }
        if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            Type[] args = p.getActualTypeArguments();
            if (Collection.class.isAssignableFrom(raw)) {
                return words(args[0]);
            }
            if (Map.class.isAssignableFrom(raw)) {
                return words(args[1]);
            }
        }
        return false;
    }
}
