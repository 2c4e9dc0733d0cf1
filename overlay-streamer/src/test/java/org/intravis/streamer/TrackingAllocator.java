package org.intravis.streamer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

import java.util.ArrayList;
import java.util.List;

/**
 * A pooled allocator that remembers every buffer it hands out, so a test can prove each was released, and the capacity
 * each was asked for at first.
 */
final class TrackingAllocator implements ByteBufAllocator {
    private final ByteBufAllocator pool = PooledByteBufAllocator.DEFAULT;
    private final List<ByteBuf> buffers = new ArrayList<>();
    private final java.util.Map<ByteBuf, Integer> asked = new java.util.IdentityHashMap<>();

    private synchronized ByteBuf track(ByteBuf b) {
        buffers.add(b);
        asked.put(b, b.capacity());
        return b;
    }

    /** The capacity {@code b} had when it was handed out (what the caller asked for, or the default). */
    synchronized int askedCapacity(ByteBuf b) {
        return asked.get(b);
    }

    synchronized int allocated() {
        return buffers.size();
    }

    /** The buffer handed out last. */
    synchronized ByteBuf last() {
        return buffers.get(buffers.size() - 1);
    }

    /** Buffers still referenced. */
    synchronized List<ByteBuf> unreleased() {
        return buffers.stream().filter(b -> b.refCnt() != 0).toList();
    }

    @Override public ByteBuf buffer() { return track(pool.buffer()); }
    @Override public ByteBuf buffer(int i) { return track(pool.buffer(i)); }
    @Override public ByteBuf buffer(int i, int m) { return track(pool.buffer(i, m)); }
    @Override public ByteBuf ioBuffer() { return track(pool.ioBuffer()); }
    @Override public ByteBuf ioBuffer(int i) { return track(pool.ioBuffer(i)); }
    @Override public ByteBuf ioBuffer(int i, int m) { return track(pool.ioBuffer(i, m)); }
    @Override public ByteBuf heapBuffer() { return track(pool.heapBuffer()); }
    @Override public ByteBuf heapBuffer(int i) { return track(pool.heapBuffer(i)); }
    @Override public ByteBuf heapBuffer(int i, int m) { return track(pool.heapBuffer(i, m)); }
    @Override public ByteBuf directBuffer() { return track(pool.directBuffer()); }
    @Override public ByteBuf directBuffer(int i) { return track(pool.directBuffer(i)); }
    @Override public ByteBuf directBuffer(int i, int m) { return track(pool.directBuffer(i, m)); }
    @Override public CompositeByteBuf compositeBuffer() { throw new UnsupportedOperationException(); }
    @Override public CompositeByteBuf compositeBuffer(int n) { throw new UnsupportedOperationException(); }
    @Override public CompositeByteBuf compositeHeapBuffer() { throw new UnsupportedOperationException(); }
    @Override public CompositeByteBuf compositeHeapBuffer(int n) { throw new UnsupportedOperationException(); }
    @Override public CompositeByteBuf compositeDirectBuffer() { throw new UnsupportedOperationException(); }
    @Override public CompositeByteBuf compositeDirectBuffer(int n) { throw new UnsupportedOperationException(); }
    @Override public boolean isDirectBufferPooled() { return true; }
    @Override public int calculateNewCapacity(int minNewCapacity, int maxCapacity) {
        return pool.calculateNewCapacity(minNewCapacity, maxCapacity);
    }
}
