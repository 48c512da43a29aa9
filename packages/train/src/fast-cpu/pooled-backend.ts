import type { DataType } from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { BufferPool } from './buffer-pool.js';

type DataId = Parameters<MathBackendCPU['disposeData']>[0];
type BackendValues = Parameters<MathBackendCPU['write']>[0];

/**
 * tfjs's cpu backend whose large float32 outputs (those the fast kernels allocate through
 * `pool`) are recycled when their tensor is disposed (see BufferPool for when that is safe).
 * The hooks only watch which tensors hold which arrays; storage and refcounting are the parent's.
 */
export class PooledCpuBackend extends MathBackendCPU {
  readonly pool = new BufferPool();
  /** Scratch arrays from the pool that live as long as a tensor (a max-pool's argmax), by its dataId. */
  private readonly companions = new WeakMap<DataId, Float32Array>();

  /** Gives `scratch` (from pool.take) back to the pool when the tensor with `dataId` is disposed. */
  attach(dataId: DataId, scratch: Float32Array): void {
    this.companions.set(dataId, scratch);
  }

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    this.pool.adopt(values);
    return super.write(values, shape, dtype);
  }

  override move(
    dataId: DataId,
    values: BackendValues,
    shape: number[],
    dtype: DataType,
    refCount: number,
  ): void {
    this.pool.adopt(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override readSync(dataId: DataId): BackendValues {
    const values = super.readSync(dataId);
    this.pool.escape(values);
    return values;
  }

  override disposeData(dataId: DataId, force = false): boolean {
    // data.get() of an unknown id would ask the engine to move it here from another backend.
    const values = this.data.has(dataId) ? this.data.get(dataId).values : undefined;
    const released = super.disposeData(dataId, force);
    if (values !== undefined && !this.data.has(dataId)) {
      this.pool.release(values);
      const scratch = this.companions.get(dataId);
      if (scratch !== undefined) {
        this.companions.delete(dataId);
        this.pool.giveBack(scratch);
      }
    }
    return released;
  }

  override dispose(): void {
    this.pool.clear();
    super.dispose();
  }
}
