package dev.forwarder.it.chaos;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;

import java.lang.management.ManagementFactory;

/**
 * The memory of forwarder running in this JVM, as the relay's buffers use it: Netty's direct memory (the default
 * allocator's own count of the direct memory it holds, which is what the relay's reads and queued writes come from,
 * and Netty's total of direct memory it allocated), and the heap after a full collection (which includes the test's
 * own objects; it bounds forwarder's heap from above).
 */
final class MemorySampler {

    private MemorySampler() {
    }

    /** Direct memory the default allocator holds now (its chunks, used or cached). */
    static long allocatorDirect() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }

    /** Direct memory Netty allocated and has not freed, or -1 where Netty does not count it. */
    static long nettyDirect() {
        return PlatformDependent.usedDirectMemory();
    }

    /** Heap in use right after a full collection. */
    static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / 1048576.0);
    }
}
