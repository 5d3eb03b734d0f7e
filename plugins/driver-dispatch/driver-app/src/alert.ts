/**
 * The signal of a new delivery: a vibration where the phone allows it, and a short tone. Browsers
 * play sound only after the person touched the page, so the audio context is made on the first
 * touch (`unlockSound`) and reused.
 */
let audio: AudioContext | undefined;

export function unlockSound(): void {
    if (audio || typeof AudioContext === 'undefined') return;
    try {
        audio = new AudioContext();
    } catch {
        audio = undefined;
    }
}

export function signalNewDelivery(): void {
    if (typeof navigator.vibrate === 'function') navigator.vibrate([200, 100, 200]);
    if (!audio) return;
    void audio.resume().catch(() => undefined);
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.6);
}
