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

void build_optimizer(Graph *g, const TrainCfg *c) {
    for (int i = 0; i < g->nparams; i++) {
        Param *p = g->params[i];
        if (!p->trainable) continue;
        Node *u;
        switch (c->opt) {
        case OPT_SGD:
            u = node2(g, OP_SGD_UPDATE, p->node->loc, p->node, p->grad);
            u->fattr[0] = c->weight_decay;
            break;
        case OPT_MOMENTUM:
            u = node3(g, OP_MOMENTUM_UPDATE, p->node->loc, p->node, p->grad, new_state(g, p, "momentum_buffer"));
            u->fattr[0] = c->momentum;
            u->fattr[1] = c->weight_decay;
            break;
        case OPT_ADAM: {
            Node *in[4] = {p->node, p->grad, new_state(g, p, "exp_avg"), new_state(g, p, "exp_avg_sq")};
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
