"""PyTorch references for the zoo entries that read images: 5 (VisionTransformer),
9 (MultimodalAttentionModel) and 13 (CaptionEncoder). Images are f32 [B, 3, image_size,
image_size]; image_size is a hyperparameter (224 as the seeds hard-code it, small in tests)."""

from typing import Dict

import torch
from torch import nn

from model_spec import ModelSpec, spread_constant_parameters
from zoo_transformer import TransformerEncoderBlock


def _check_images(images: torch.Tensor, image_size: int):
    if images.dim() != 4 or tuple(images.shape[1:]) != (3, image_size, image_size):
        raise ValueError(f"images must be [B, 3, {image_size}, {image_size}] (image_size), got "
                         f"{list(images.shape)}")


class PatchEmbedding(nn.Module):
    """The seed's patch embedding: a patch_size-strided Conv2d, then the patch grid flattened
    row-major to N = (image_size / patch_size)^2 patches: [B, 3, I, I] -> [B, N, embed_dim]."""

    def __init__(self, image_size: int, patch_size: int, embed_dim: int):
        super().__init__()
        self.image_size = image_size
        self.patch_size = patch_size
        self.num_patches = (image_size // patch_size) ** 2
        self.proj = nn.Conv2d(3, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, images):
        return self.proj(images).flatten(2).transpose(1, 2)


class VisionTransformer(nn.Module):
    """Zoo entry 5, as ZOO.md means it: patches embedded, num_layers TransformerEncoderBlocks
    (entry 4, dropout 0.1 = identity) in which each image's N patches attend to each other (the
    sequence-first blocks get [N, B, E]; the seed handed them [B, N, E], attending across the
    batch), mean over patches, classifier. No class token, no position embedding.

    Dims: B batch. images [B, 3, image_size, image_size] -> [B, num_classes];
    N = (image_size // patch_size)^2 internally."""

    def __init__(self, embed_dim: int, num_heads: int, ffn_dim: int, num_layers: int,
                 num_classes: int, image_size: int = 224, patch_size: int = 16):
        super().__init__()
        self.image_size = image_size
        self.patch_embedding = PatchEmbedding(image_size, patch_size, embed_dim)
        self.transformer_blocks = nn.ModuleList([
            TransformerEncoderBlock(embed_dim, num_heads, ffn_dim, dropout=0.1)
            for _ in range(num_layers)
        ])
        self.classifier = nn.Linear(embed_dim, num_classes)

    def forward(self, images):
        _check_images(images, self.image_size)
        x = self.patch_embedding(images).transpose(0, 1)  # [N, B, E]
        for block in self.transformer_blocks:
            x = block(x)
        return self.classifier(x.mean(dim=0))


class MultimodalAttentionModel(nn.Module):
    """Zoo entry 9, as ZOO.md means it: a batch-first LSTM over the T text features, a CNN image
    feature (Conv 3->64, ReLU, MaxPool 2, Flatten, Linear(64 * (image_size/2)^2, image_dim)),
    the T+1 features of each example attending to each other (4 heads; the reference feeds the
    sequence-first nn.MultiheadAttention [T+1, B, H]), the classifier on the last position (the
    image's). image_dim must equal hidden_dim. The attention biases get random values
    (spread_constant_parameters).

    Dims: B batch, T text length. text [B, T, text_dim], images [B, 3, image_size, image_size]
    -> [B, output_dim]."""

    def __init__(self, text_dim: int, image_dim: int, hidden_dim: int, output_dim: int,
                 image_size: int = 224):
        super().__init__()
        if image_dim != hidden_dim:
            raise ValueError(f"image_dim ({image_dim}) must equal hidden_dim ({hidden_dim}): the "
                             "image feature joins the text features as one more position")
        self.image_size = image_size
        self.text_encoder = nn.LSTM(text_dim, hidden_dim, batch_first=True)
        self.image_encoder = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2, 2),
            nn.Flatten(),
            nn.Linear(64 * (image_size // 2) ** 2, image_dim),
        )
        self.attention = nn.MultiheadAttention(hidden_dim, num_heads=4)
        self.classifier = nn.Linear(hidden_dim, output_dim)
        spread_constant_parameters(self)

    def forward(self, text, images):
        _check_images(images, self.image_size)
        text_features, _ = self.text_encoder(text)  # [B, T, H]
        image_features = self.image_encoder(images)  # [B, H]
        combined = torch.cat([text_features, image_features.unsqueeze(1)], dim=1)  # [B, T+1, H]
        seq_first = combined.transpose(0, 1)
        attended, _ = self.attention(seq_first, seq_first, seq_first)
        return self.classifier(attended[-1])


class CaptionEncoder(nn.Module):
    """Zoo entry 13 (the seed leaves the CNN open; ZOO.md fixes it): Conv2d(3, 32, 3, padding 1),
    ReLU, MaxPool2d(2), Conv2d(32, hidden_dim, 3, padding 1), ReLU, MaxPool2d(2), then the
    spatial grid flattened row-major to L = (image_size / 4)^2 regions.

    Dims: B batch. images [B, 3, image_size, image_size] -> features [B, L, hidden_dim]."""

    def __init__(self, hidden_dim: int, image_size: int = 224):
        super().__init__()
        self.image_size = image_size
        self.cnn = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, hidden_dim, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )

    def forward(self, images):
        _check_images(images, self.image_size)
        return self.cnn(images).flatten(2).transpose(1, 2)


def _images(hp, b: int, gen) -> torch.Tensor:
    size = int(hp.get("image_size", 224))
    return torch.randn(b, 3, size, size, generator=gen)


def _vit_inputs(hp, dims, gen) -> Dict[str, torch.Tensor]:
    return {"images": _images(hp, dims["B"], gen)}


def _multimodal_inputs(hp, dims, gen) -> Dict[str, torch.Tensor]:
    b = dims["B"]
    return {"text": torch.randn(b, dims["T"], int(hp["text_dim"]), generator=gen),
            "images": _images(hp, b, gen)}


MODELS: Dict[str, ModelSpec] = {
    "VisionTransformer": ModelSpec(VisionTransformer, ("images",), _vit_inputs),
    "MultimodalAttentionModel": ModelSpec(MultimodalAttentionModel, ("text", "images"),
                                          _multimodal_inputs),
    "CaptionEncoder": ModelSpec(CaptionEncoder, ("images",), _vit_inputs),
}
