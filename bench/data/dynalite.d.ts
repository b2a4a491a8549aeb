/** dynalite ships no types; the benchmark only calls its factory. */
declare module 'dynalite';
