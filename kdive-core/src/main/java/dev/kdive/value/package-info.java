/**
 * What every layer's values share and nothing else: hints to renderers ({@link dev.kdive.value.Hex}).
 * It depends on no other kdive package.
 */
package dev.kdive.value;
