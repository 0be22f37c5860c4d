package dev.kdive.program;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * crash's {@code eval} arithmetic: 64-bit integers, C's binary operators ({@code + - * / % & | ^ << >>})
 * with C's precedence and parentheses, unary {@code ~} and {@code -}, numbers in hex ({@code 0x},
 * or any word with a hex letter) or decimal, a {@code k}/{@code m}/{@code g} suffix multiplying by
 * 1024, 1 MiB or 1 GiB, and symbols standing for their addresses. crash takes one operator,
 * {@code (x op y)}; this takes any expression of them.
 */
public final class Arithmetic {
    private final String text;
    private final Function<String, OptionalLong> symbols;
    private final List<String> tokens;
    private int at;

    private Arithmetic(String text, Function<String, OptionalLong> symbols) {
        this.text = text;
        this.symbols = symbols;
        this.tokens = tokenize(text);
    }

    /**
     * {@return the value of {@code expression}}
     *
     * @param symbols a symbol's address, if there is such a symbol
     * @throws IllegalArgumentException naming what could not be read, and where
     */
    public static long evaluate(String expression, Function<String, OptionalLong> symbols) {
        Arithmetic a = new Arithmetic(expression, symbols);
        if (a.tokens.isEmpty()) {
            throw new IllegalArgumentException("no expression");
        }
        long v = a.binary(0);
        if (a.at < a.tokens.size()) {
            throw new IllegalArgumentException("unexpected " + a.tokens.get(a.at) + " in " + expression.strip());
        }
        return v;
    }

    /** Operators by precedence, loosest first (C's order). */
    private static final List<List<String>> LEVELS = List.of(List.of("|"), List.of("^"), List.of("&"), List.of("<<", ">>"),
            List.of("+", "-"), List.of("*", "/", "%"));

    private long binary(int level) {
        if (level == LEVELS.size()) {
            return unary();
        }
        long left = binary(level + 1);
        while (at < tokens.size() && LEVELS.get(level).contains(tokens.get(at))) {
            String op = tokens.get(at++);
            long right = binary(level + 1);
            left = switch (op) {
                case "|" -> left | right;
                case "^" -> left ^ right;
                case "&" -> left & right;
                case "<<" -> right >= 64 || right < 0 ? 0 : left << right;
                case ">>" -> right >= 64 || right < 0 ? 0 : left >>> right;
                case "+" -> left + right;
                case "-" -> left - right;
                case "*" -> left * right;
                case "/", "%" -> {
                    if (right == 0) {
                        throw new IllegalArgumentException("division by zero in " + text.strip());
                    }
                    yield op.equals("/") ? Long.divideUnsigned(left, right) : Long.remainderUnsigned(left, right);
                }
                default -> throw new IllegalStateException(op);
            };
        }
        return left;
    }

    private long unary() {
        if (at >= tokens.size()) {
            throw new IllegalArgumentException("expression ends too early: " + text.strip());
        }
        String t = tokens.get(at++);
        switch (t) {
            case "~":
                return ~unary();
            case "-":
                return -unary();
            case "+":
                return unary();
            case "(": {
                long v = binary(0);
                if (at >= tokens.size() || !tokens.get(at).equals(")")) {
                    throw new IllegalArgumentException("missing ) in " + text.strip());
                }
                at++;
                return v;
            }
            default:
                return operand(t);
        }
    }

    private long operand(String word) {
        if (!Character.isLetterOrDigit(word.charAt(0)) && word.charAt(0) != '_') {
            throw new IllegalArgumentException("unexpected " + word + " in " + text.strip());
        }
        OptionalLong n = number(word);
        if (n.isPresent()) {
            return n.getAsLong();
        }
        return symbols.apply(word).orElseThrow(() -> new IllegalArgumentException("not a number or a symbol: " + word));
    }

    /**
     * {@return a number as crash reads one: {@code 0x} hex, decimal digits, digits with a hex letter
     * as hex, each with an optional k, m or g suffix}, empty for anything else
     */
    public static OptionalLong number(String word) {
        String w = word;
        long scale = 1;
        char last = Character.toLowerCase(w.charAt(w.length() - 1));
        boolean hex0x = w.startsWith("0x") || w.startsWith("0X");
        if (w.length() > 1 && (last == 'k' || last == 'm' || last == 'g')) {
            scale = last == 'k' ? 1L << 10 : last == 'm' ? 1L << 20 : 1L << 30;
            w = w.substring(0, w.length() - 1);
        }
        try {
            if (hex0x) {
                return w.length() > 2 ? OptionalLong.of(Long.parseUnsignedLong(w.substring(2), 16) * scale) : OptionalLong.empty();
            }
            if (w.chars().allMatch(Character::isDigit)) {
                return OptionalLong.of(Long.parseUnsignedLong(w) * scale);
            }
            if (scale == 1 && Character.isDigit(w.charAt(0)) && w.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                return OptionalLong.of(Long.parseUnsignedLong(w, 16));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("number too large: " + word);
        }
        return OptionalLong.empty();
    }

    private static List<String> tokenize(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '.') {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_' || s.charAt(j) == '.')) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            } else if ((c == '<' || c == '>') && i + 1 < s.length() && s.charAt(i + 1) == c) {
                out.add(s.substring(i, i + 2));
                i += 2;
            } else {
                out.add(String.valueOf(c));
                i++;
            }
        }
        return out;
    }
}
