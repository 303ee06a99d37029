// What each attack vector (SYN, NTP source port, ICMP, …) normally carries per second, so the
// classifier can judge an attack by what it *adds*. A running mean for the first samples, then an
// exponential average with a ten-minute time constant: composition drifts slowly, attacks are
// never learned (the engine only calls learn() outside incidents).
import type { Vector } from '../classify/vectors.ts';
import type { NormalRates } from '../classify/classify.ts';

const TIME_CONSTANT_SAMPLES = 600;

export interface VectorNormals {
  learn(vectors: Vector[], seconds: number): void;
  rates(): NormalRates;
}

export function createVectorNormals(): VectorNormals {
  const normal = new Map<string, { packets: number; bytes: number }>();
  let samples = 0;
  return {
    learn(vectors, seconds) {
      if (!(seconds > 0)) return;
      samples++;
      const alpha = Math.max(1 / samples, 1 / TIME_CONSTANT_SAMPLES);
      const seen = new Map(vectors.map((v) => [v.id, v]));
      for (const id of new Set([...normal.keys(), ...seen.keys()])) {
        const v = seen.get(id);
        const cur = normal.get(id) ?? { packets: 0, bytes: 0 };
        normal.set(id, {
          packets: cur.packets + alpha * ((v?.packets ?? 0) / seconds - cur.packets),
          bytes: cur.bytes + alpha * ((v?.bytes ?? 0) / seconds - cur.bytes),
        });
      }
    },
    rates: () => normal,
  };
}
