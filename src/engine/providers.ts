// Which execution providers this installation can use, found without loading onnxruntime.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** True when onnxruntime-node's CUDA provider library is installed and an NVIDIA device is visible. */
export function cudaAvailable(): boolean {
  try {
    const root = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const binDir = join(root, 'bin', 'napi-v6', process.platform, process.arch);
    const hasProvider = existsSync(binDir) && readdirSync(binDir).some((f) => f.includes('providers_cuda'));
    const hasDevice = process.platform === 'linux' ? existsSync('/dev/nvidia0') || existsSync('/dev/nvidiactl') : hasProvider;
    return hasProvider && hasDevice;
  } catch {
    return false;
  }
}

export function resolveProvider(setting: 'auto' | 'cpu' | 'cuda'): 'cpu' | 'cuda' {
  if (setting === 'auto') return cudaAvailable() ? 'cuda' : 'cpu';
  return setting;
}
