package io.pcompute.internal;

/** Run by NativeLoaderTest in a JVM of its own: loads the library as an application does and reports it. */
public final class ReleaseLibraryProbe {
    private ReleaseLibraryProbe() {}

    public static void main(String[] args) {
        System.out.println("file " + Native.libraryFile());
        System.out.println("build " + Native.buildId());
        try {
            Native.plantBug(1, false);
            System.out.println("plantBug: worked");
        } catch (UnsupportedOperationException e) {
            System.out.println("plantBug: UnsupportedOperationException: " + e.getMessage());
        }
    }
}
