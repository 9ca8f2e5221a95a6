package dev.stratus.kernel;

import java.lang.reflect.Field;

/**
 * The private fields of basekernel (and of the JDK, where the kernelspec opens it) that the kernel reaches into; public
 * for the kernel's own packages (display), not an API for notebooks.
 */
public final class PrivateFields {

    private PrivateFields() {
    }

    /** {@code owner}'s field {@code name}, made accessible. */
    public static Field open(Class<?> owner, String name) throws NoSuchFieldException {
        Field field = owner.getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }
}
