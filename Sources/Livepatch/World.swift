import KLPEngine
