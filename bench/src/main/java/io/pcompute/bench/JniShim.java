package io.pcompute.bench;

/** The JNI side of the boundary comparison: the same empty C function as {@code Shim.NOOP}. */
final class JniShim {
    static {
        Shim.LIBRARY.getClass(); // loads the library
    }

    private JniShim() {}

    static native int noop();
}
