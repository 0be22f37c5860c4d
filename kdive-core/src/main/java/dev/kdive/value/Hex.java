package dev.kdive.value;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a record component that holds addresses or raw kernel words ({@code long} or {@code int}, a
 * list of them, a map whose values they are, or raw bytes): renderers show them as {@code 0x...} hex, as crash and drgn
 * do, not as signed decimals. Core values carry no rendering framework; this is the one hint.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
public @interface Hex {
}
