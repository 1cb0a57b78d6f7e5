"""Operations: `contactpunt up`, the worker with its periodic jobs, the demo organisation."""
