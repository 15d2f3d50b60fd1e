"""Text embeddings: torch and transformers are only needed when a query arrives."""

import torch
from transformers import AutoTokenizer

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def embed_text(text: str) -> list:
    tokenizer = AutoTokenizer.from_pretrained(MODEL_NAME)
    ids = tokenizer(text)["input_ids"]
    return torch.tensor(ids, dtype=torch.float32).tolist()
