package dev.kdive.program;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** crash's eval arithmetic: its own help page's examples, C precedence, and what it refuses. */
class ArithmeticTest {
    private static long eval(String e) {
        return Arithmetic.evaluate(e, s -> s.equals("init_task") ? OptionalLong.of(0xffffffffb721aa40L) : OptionalLong.empty());
    }

    @Test
    void crashsOwnExamples() {
        assertThat(eval("128m")).isEqualTo(0x8000000L);
        assertThat(eval("128 * 1m")).isEqualTo(0x8000000L);
        assertThat(eval("(1 << 27)")).isEqualTo(0x8000000L);
        assertThat(eval("(1 << 32)")).isEqualTo(0x100000000L);
        assertThat(eval("41dc065")).isEqualTo(0x41dc065L); // a hex letter makes it hex without 0x
        assertThat(eval("64g")).isEqualTo(64L << 30);
    }

    @Test
    void numbersOperatorsAndSymbols() {
        assertThat(eval("100 / 3")).isEqualTo(33);
        assertThat(eval("0x10 * 4 - 1")).isEqualTo(63); // C precedence, which crash's one-operator form never needs
        assertThat(eval("1 + 2 << 3")).isEqualTo(24);
        assertThat(eval("0xff & ~0xf | 0x100 ^ 1")).isEqualTo(0x1f1);
        assertThat(eval("-1")).isEqualTo(-1L);
        assertThat(eval("~0")).isEqualTo(-1L);
        assertThat(eval("7 % 3")).isEqualTo(1);
        assertThat(eval("1 << 64")).isZero();
        assertThat(eval("0xffffffffffffffff / 2")).isEqualTo(Long.MAX_VALUE); // unsigned, as a 64-bit address is
        assertThat(eval("init_task + 8")).isEqualTo(0xffffffffb721aa48L);
    }

    @Test
    void badExpressionsSayWhat() {
        assertThatThrownBy(() -> eval("1 / 0")).hasMessageContaining("division by zero");
        assertThatThrownBy(() -> eval("(1 + 2")).hasMessageContaining("missing )");
        assertThatThrownBy(() -> eval("no_such_symbol")).hasMessageContaining("not a number or a symbol: no_such_symbol");
        assertThatThrownBy(() -> eval("1 +")).hasMessageContaining("ends too early");
        assertThatThrownBy(() -> eval("1 2")).hasMessageContaining("unexpected 2");
        assertThatThrownBy(() -> eval("0x1ffffffffffffffff")).hasMessageContaining("too large");
    }
}
