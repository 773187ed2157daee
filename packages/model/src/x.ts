export function a(x: number): number { return x + 1; }
