// The run view reducer: what the UI draws from the event stream.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../config/experiment';
import type { TrainEvent } from '../../train/events';
import { replay } from './runState';

describe('runReducer', () => {
  it('keeps the last pre-training epoch until meta-training steps arrive', () => {
    const config = { ...DEFAULT_CONFIG, pretrainEpochs: 2 };
    const pre = (epoch: number): TrainEvent => ({
      type: 'pretrained',
      epoch,
      epochs: 2,
      trainLoss: 1 / epoch,
      seconds: 0.5,
    });
    const view = replay(config, [pre(1), pre(2)]);
    expect(view.pretrained).toEqual({ epoch: 2, epochs: 2, trainLoss: 0.5 });
    expect(view.lastStep).toBeNull();
    expect(view.epochs).toEqual([]);
    expect(replay(config, []).pretrained).toBeNull();
  });
});
