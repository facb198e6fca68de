/* optim.c — appends the optimizer's update ops to the graph, one per parameter, so that a
 * training step is one function: forward, backward and update.  Optimizer state (moments,
 * momentum buffers) lives in the S block, laid out like the parameters.  The updates follow
 * torch.optim exactly (SGD with momentum and dampening 0; Adam with bias correction). */
#include "dlc.h"

static Node *new_state(Graph *g, Param *p, const char *suffix) {
    Node *n = new_node(g, OP_STATE, p->node->loc, 0, NULL);
    n->dtype = p->node->dtype;
    n->shape = p->node->shape;
    n->name = fmt("%s.%s", p->name, suffix);
    n->index = g->nstates;
    n->iattr[0] = g->state_bytes;   /* its home in the S block */
    int64_t bytes = shape_numel_max(g, &n->shape) * (int64_t)dlrt_dtype_size(n->dtype);
    g->state_bytes += (bytes + 63) / 64 * 64;
    g->states = xrealloc(g->states, sizeof(Node *) * (size_t)(g->nstates + 1));
    g->states[g->nstates++] = n;
    return n;
}

/* Gradient clipping before the update, as torch.nn.utils: clip_grad_value_ clamps every
 * element to [-v, v]; clip_grad_norm_ scales all gradients by min(1, max / (norm + 1e-6)), the
 * norm taken over all of them together.  Returns the gradient each update uses. */
static Node **clipped_grads(Graph *g, const TrainCfg *c) {
    Node **gr = xcalloc((size_t)g->nparams + 1, sizeof *gr);
    Node *sumsq = NULL;
    for (int i = 0; i < g->nparams; i++) {
        Param *p = g->params[i];
        if (!p->trainable) continue;
        Node *d = p->grad;
        Loc loc = p->node->loc;
        if (c->clip_value > 0) {   /* min(max(d, -v), v) = -max(-max(d, -v), -v) */
            Node *lo = node1(g, OP_CLAMP_MIN, loc, d);
            lo->fattr[0] = -c->clip_value;
            Node *hi = node1(g, OP_CLAMP_MIN, loc, node1(g, OP_NEG, loc, lo));
            hi->fattr[0] = -c->clip_value;
            d = node1(g, OP_NEG, loc, hi);
        }
        gr[i] = d;
        if (c->clip_norm > 0) {
            Node *sq = new_sum_to(g, loc, node2(g, OP_MUL, loc, d, d), (Shape){0, {{0, {0}}}});
            sumsq = sumsq ? node2(g, OP_ADD, loc, sumsq, sq) : sq;
        }
    }
    if (sumsq) {
        Loc loc = sumsq->loc;
        dlrt_dtype t = sumsq->dtype;
        Node *norm = node1(g, OP_SQRT, loc, sumsq);
        Node *coef = node2(g, OP_DIV, loc, new_const(g, loc, c->clip_norm, t), node2(g, OP_ADD, loc, norm, new_const(g, loc, 1e-6, t)));
        /* min(coef, 1) = -max(-coef, -1) */
        Node *m = node1(g, OP_CLAMP_MIN, loc, node1(g, OP_NEG, loc, coef));
        m->fattr[0] = -1;
        Node *scale = node1(g, OP_NEG, loc, m);
        for (int i = 0; i < g->nparams; i++)
            if (gr[i]) gr[i] = node2(g, OP_MUL, loc, gr[i], scale);
    }
    return gr;
}

void build_optimizer(Graph *g, const TrainCfg *c) {
    Node **grad = clipped_grads(g, c);
    for (int i = 0; i < g->nparams; i++) {
        Param *p = g->params[i];
        if (!p->trainable) continue;
        Node *u;
        switch (c->opt) {
        case OPT_SGD:
            u = node2(g, OP_SGD_UPDATE, p->node->loc, p->node, grad[i]);
            u->fattr[0] = c->weight_decay;
            break;
        case OPT_MOMENTUM:
            u = node3(g, OP_MOMENTUM_UPDATE, p->node->loc, p->node, grad[i], new_state(g, p, "momentum_buffer"));
            u->fattr[0] = c->momentum;
            u->fattr[1] = c->weight_decay;
            break;
        case OPT_ADAM: {
            Node *in[4] = {p->node, grad[i], new_state(g, p, "exp_avg"), new_state(g, p, "exp_avg_sq")};
            u = new_node(g, OP_ADAM_UPDATE, p->node->loc, 4, in);
            u->fattr[0] = c->beta1;
            u->fattr[1] = c->beta2;
            u->fattr[2] = c->eps;
            u->fattr[3] = c->weight_decay;
            break;
        }
        default: unreachable();
        }
        u->shape.rank = 0;
        vec_push(&g->updates, u);
    }
}
