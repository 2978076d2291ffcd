package io.pcompute;

/** A failure reported by the C library that is not the caller's bad input (out of memory, threads). */
public final class NativeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public NativeException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The {@code pc_status} code the C library returned. */
    public int status() {
        return status;
    }
}
