package example.app;

/** Two constants of different kernels with the same name: a registry must refuse them. */
public final class DuplicateNames {
    public static final TestKernels.ByteSums FIRST = new TestKernels.ByteSums("twice");
    public static final TestKernels.ByteSums SECOND = new TestKernels.ByteSums("twice");
}
