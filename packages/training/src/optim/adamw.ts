import * as tf from '@tensorflow/tfjs-core';

export interface AdamWOptions {
  lr: number;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Serialisable optimizer state: step count and the two moments of each variable, by variable name. */
export interface AdamWState {
  step: number;
  moments: Record<string, { m: Float32Array; v: Float32Array; shape: number[] }>;
}

/**
 * AdamW exactly as `torch.optim.AdamW` (decoupled weight decay applied to the parameter before the Adam step,
 * bias corrections folded into the step size and the denominator). tfjs's own Adam differs (no decoupled decay,
 * eps placement), hence this.
 */
export class AdamW {
  lr: number;
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private stepCount = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(options: AdamWOptions) {
    this.lr = options.lr;
    this.weightDecay = options.weightDecay ?? 1e-2;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
  }

  get step(): number {
    return this.stepCount;
  }

  /** Apply one update. `grads` maps variable names to gradients; variables without a gradient are skipped. */
  applyGradients(variables: Map<string, tf.Variable>, grads: Record<string, tf.Tensor>): void {
    this.stepCount += 1;
    const t = this.stepCount;
    const bias1 = 1 - this.beta1 ** t;
    const bias2Sqrt = Math.sqrt(1 - this.beta2 ** t);
    const stepSize = this.lr / bias1;
    for (const [name, param] of variables) {
      const grad = grads[name];
      if (!grad) continue;
      const m = this.moment(this.m, name, param);
      const v = this.moment(this.v, name, param);
      tf.tidy(() => {
        const decayed = this.weightDecay !== 0 ? tf.mul(param, 1 - this.lr * this.weightDecay) : param;
        const mNew = tf.add(tf.mul(m, this.beta1), tf.mul(grad, 1 - this.beta1));
        const vNew = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2));
        const denom = tf.add(tf.div(tf.sqrt(vNew), bias2Sqrt), this.eps);
        m.assign(mNew);
        v.assign(vNew);
        param.assign(tf.sub(decayed, tf.mul(tf.div(mNew, denom), stepSize)));
      });
    }
  }

  private moment(store: Map<string, tf.Variable>, name: string, param: tf.Variable): tf.Variable {
    let moment = store.get(name);
    if (!moment) {
      moment = ownedVariable(tf.zerosLike(param), `adamw/${store === this.m ? 'm' : 'v'}/${name}`);
      store.set(name, moment);
    }
    return moment;
  }

  async getState(): Promise<AdamWState> {
    const moments: AdamWState['moments'] = {};
    for (const [name, m] of this.m) {
      const v = this.v.get(name)!;
      moments[name] = { m: (await m.data()) as Float32Array, v: (await v.data()) as Float32Array, shape: m.shape };
    }
    return { step: this.stepCount, moments };
  }

  setState(state: AdamWState): void {
    this.disposeMoments();
    this.stepCount = state.step;
    for (const [name, { m, v, shape }] of Object.entries(state.moments)) {
      this.m.set(name, ownedVariable(tf.tensor(m, shape), `adamw/m/${name}`));
      this.v.set(name, ownedVariable(tf.tensor(v, shape), `adamw/v/${name}`));
    }
  }

  dispose(): void {
    this.disposeMoments();
  }

  private disposeMoments(): void {
    for (const t of this.m.values()) t.dispose();
    for (const t of this.v.values()) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}

let variableCounter = 0;

/**
 * A variable that takes over `value` (released here: `tf.variable` keeps its own reference to the data). The
 * counter keeps names unique without touching `Math.random`, which the trainer seeds for dropout.
 */
function ownedVariable(value: tf.Tensor, name: string): tf.Variable {
  const variable = tf.variable(value, false, `${name}/${variableCounter++}`);
  value.dispose();
  return variable;
}
