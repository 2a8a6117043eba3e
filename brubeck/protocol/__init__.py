"""Wire protocols, sans-IO: bytes in, values out, and back; never a socket."""
