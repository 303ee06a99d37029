import { ethernet, ipv4, udp } from '@breakwater/packets/testing';
import { captureSourceContract } from '../capture/capture-source.contract.ts';
import { ReplaySource } from './replay-source.ts';

captureSourceContract('replay source', async (fn) => {
  let src: ReplaySource | null = null;
  await fn({
    make: (h) => (src = new ReplaySource({ iface: 'replay0' }, h)),
    send: async (count, port) => {
      const frame = ethernet(0x0800, ipv4({ src: '198.18.0.1', dst: '198.18.0.5', protocol: 17, payload: udp(40_000, port, new Uint8Array(64)) }));
      src!.play(Array.from({ length: count }, () => frame));
    },
  });
});
