package dev.forwarder.core.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Fails a test class when Netty reports a leaked buffer while or after it ran. Registered for every test class
 * through the service loader (autodetection is switched on in the parent POM); the build sets the detector to
 * paranoid so that every buffer is tracked.
 */
public final class LeakDetectionExtension implements BeforeAllCallback, AfterAllCallback {

    private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();

    static {
        ByteBufUtil.setLeakListener((resourceType, records) -> LEAKS.add(resourceType + "\n" + records));
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        collectLeaks();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> leaks = collectLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) in " + context.getDisplayName()
                    + " (detector level " + ResourceLeakDetector.getLevel() + "):\n" + String.join("\n\n", leaks));
        }
    }

    /**
     * Makes the detector look at every buffer that became unreachable, and returns (and forgets) the leaks found
     * so far. The detector reports only when a new buffer is tracked after a collection, hence the allocations.
     */
    public static List<String> collectLeaks() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            System.runFinalization();
            touch(PooledByteBufAllocator.DEFAULT);
            touch(UnpooledByteBufAllocator.DEFAULT);
            touch(ByteBufAllocator.DEFAULT);
        }
        List<String> found = new ArrayList<>();
        for (String leak; (leak = LEAKS.poll()) != null; ) {
            found.add(leak);
        }
        return found;
    }

    private static void touch(ByteBufAllocator allocator) {
        for (int i = 0; i < 8; i++) {
            ByteBuf probe = allocator.directBuffer(64);
            probe.release();
            probe = allocator.heapBuffer(64);
            probe.release();
        }
    }
}
