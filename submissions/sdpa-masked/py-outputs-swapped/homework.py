#!/usr/bin/env python
# coding: utf-8

# ### Exercise 1 - Scaled Dot-Product Attention

# In[1]:


import math

import torch
from torch import Tensor


# In[2]:


def scaled_dot_product_attention(Q: Tensor, K: Tensor, V: Tensor) -> (Tensor, Tensor):
    """Computes the scaled dot-product attention."""
    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1))
    weights = torch.softmax(scores, dim=-1)
    return weights, weights @ V


# In[3]:


print("======= Scaled dot-product attention")
torch.manual_seed(0)
Q = torch.randn(2, 3, 4)
K = torch.randn(2, 3, 4)
V = torch.randn(2, 3, 4)
output, weights = scaled_dot_product_attention(Q, K, V)
print(f"Attention Output:\n{output}\n")
print(f"Attention Weights:\n{weights}")


# ### Exercise 2 - Add a mask to the attention mechanism

# In[4]:


def scaled_dot_product_attention(Q: Tensor, K: Tensor, V: Tensor, mask: Tensor = None) -> (Tensor, Tensor):
    """Computes the scaled dot-product attention, with an optional mask (batch, 1, block)."""
    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(mask == 0, -torch.inf)
    weights = torch.softmax(scores, dim=-1)
    return weights, weights @ V


# In[5]:


print("====== Masked scaled dot-product attention")
mask = torch.tensor([[[1, 1, 1]], [[1, 1, 0]]])
output, weights = scaled_dot_product_attention(Q, K, V, mask=mask)
print(f"Attention Output:\n{output}\n")
print(f"Attention Weights:\n{weights}")


