// Local media: the camera and microphone when the browser allows them, otherwise a generated
// canvas picture with a running clock, so a frozen or resumed picture is easy to see.

export interface LocalMedia {
  readonly stream: MediaStream;
  readonly source: 'camera' | 'canvas';
  /** Why the camera was not used, when it was not. */
  readonly fallbackReason: string | null;
  stop(): void;
}

/** Asks for camera and microphone; falls back to a canvas stream on any refusal. */
export async function openLocalMedia(label: string): Promise<LocalMedia> {
  // navigator.mediaDevices is missing outside secure contexts (plain http:// on a LAN address).
  const devices = navigator.mediaDevices as MediaDevices | undefined;
  if (devices === undefined) {
    return canvasMedia(label, 'camera unavailable on an insecure (http) origin');
  }
  try {
    const stream = await devices.getUserMedia({
      video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 30 } },
      audio: true,
    });
    return {
      stream,
      source: 'camera',
      fallbackReason: null,
      stop: () => {
        for (const track of stream.getTracks()) track.stop();
      },
    };
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return canvasMedia(label, reason);
  }
}

function canvasMedia(label: string, reason: string): LocalMedia {
  const canvas = document.createElement('canvas');
  canvas.width = 640;
  canvas.height = 360;
  const context = canvas.getContext('2d');
  const hue = Math.floor(Math.random() * 360);
  const draw = (): void => {
    if (context === null) return;
    const now = new Date();
    context.fillStyle = `hsl(${hue} 45% 22%)`;
    context.fillRect(0, 0, canvas.width, canvas.height);
    // A sweeping bar makes motion (and a frozen picture) obvious even without reading the clock.
    const x = ((now.getTime() % 2000) / 2000) * canvas.width;
    context.fillStyle = `hsl(${hue} 60% 45%)`;
    context.fillRect(x - 6, 0, 12, canvas.height);
    context.fillStyle = '#fff';
    context.textAlign = 'center';
    context.font = '600 64px ui-monospace, SFMono-Regular, Menlo, monospace';
    const time = now.toLocaleTimeString([], { hour12: false });
    const tenths = Math.floor(now.getMilliseconds() / 100);
    context.fillText(`${time}.${tenths}`, canvas.width / 2, canvas.height / 2 + 10);
    context.font = '500 26px system-ui, sans-serif';
    context.fillText(label, canvas.width / 2, canvas.height / 2 + 64);
  };
  draw();
  // setInterval, not requestAnimationFrame: a background tab gets no animation frames.
  const timer = setInterval(draw, 100);
  const stream = canvas.captureStream(10);
  return {
    stream,
    source: 'canvas',
    fallbackReason: reason,
    stop: () => {
      clearInterval(timer);
      for (const track of stream.getTracks()) track.stop();
    },
  };
}
