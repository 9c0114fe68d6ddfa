import { test, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-wasm';

test('webgpu in node', async () => {
  const ok = await tf.setBackend('webgpu');
  expect(ok).toBe(true);
  const c = tf.matMul(tf.tensor2d([[1, 2, 3], [4, 5, 6]]), tf.tensor2d([[7, 8], [9, 10], [11, 12]]));
  expect(Array.from(await c.data())).toEqual([58, 64, 139, 154]);
  const info = (tf.backend() as unknown as { adapterInfo: { architecture: string } }).adapterInfo;
  console.log(info);
});
test('wasm in node', async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  const c = tf.add(tf.scalar(1), tf.scalar(2));
  expect((await c.data())[0]).toBe(3);
});
