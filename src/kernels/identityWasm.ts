/**
 * Identity on the tfjs-wasm backend without a copy: the output shares the input's data (one more
 * reference), as the cpu backend's Identity does.
 *
 * Why: tfjs clones every tensor a gradient saves for the backward pass through the Identity kernel
 * (engine.saveTensorsForBackwardMode), and tfjs-wasm 4.22's Identity copies the data. A MeLU meta-step
 * saves ~137 tensors, so each step paid ~137 memcpys and kernel launches for nothing: tensors are
 * immutable (every wasm kernel writes a fresh output), so sharing the data is safe, and tfjs-wasm's
 * Reshape already shares data the same way.
 */
import * as tf from '@tensorflow/tfjs';

interface RefCounted {
  incRef(dataId: tf.DataId): void;
}

let registered = false;

/** Replaces the wasm backend's Identity kernel by the sharing one (idempotent; later, if wasm is not loaded yet). */
export function registerSharedIdentity(): void {
  if (registered || !tf.getKernel('Identity', 'wasm')) return;
  registered = true;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = (inputs as { x: tf.TensorInfo }).x;
      (backend as unknown as RefCounted).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}
