/* parser.y — the grammar of .dlm files.
 *
 *   file    = (model | block | train)*
 *   model   = "model" IDENT "{" mstmt* "}"
 *   block   = "block" IDENT "(" (IDENT ("=" expr)?),* ")" "{" (IDENT "=" expr)*
 *             "forward" "(" IDENT,* ")" "{" (IDENT "=" expr)* "return" expr "}" "}"
 *   mstmt   = "input" IDENT ":" type | "target" IDENT ":" type ("classes" (NUMBER | IDENT))?
 *           | IDENT "=" expr | "metric" IDENT "(" args ")" | "output" IDENT
 *   train   = "train" "{" (IDENT expr)* "}"
 *   type    = DTYPE "[" dim ("," dim)* "]"          dim = NUMBER | IDENT
 *   expr    = sum ("->" sum)*                       (pipelines bind loosest)
 *   sum     = term (("+" | "-") term)*
 *   term    = unary (("*" | "/") unary)*
 *   unary   = "-" unary | postfix
 *   postfix = primary ("(" args? ")")*
 *   primary = IDENT | NUMBER | STRING | "(" expr ")" | "[" args? "]" | "repeat" NUMBER IDENT "(" args? ")"
 *   arg     = expr | IDENT "=" expr
 *
 * Statements need no separators (';' is allowed); every node keeps its location. */
%code requires {
#include "dlc.h"
typedef struct { double v; int is_int; } NumTok;
}

%code {
#include <string.h>
#include "dlc.h"

int yylex(void);
void lexer_reset(const char *text);
static FileAst *result;
static const char *cur_file;

static Loc L(YYLTYPE l) {
    int len = l.first_line == l.last_line ? l.last_column - l.first_column : 1;
    return (Loc){cur_file, l.first_line, l.first_column, len > 0 ? len : 1};
}
/* A span from the start of `a` to the end of `b`, on one line. */
static Loc span(YYLTYPE a, YYLTYPE b) {
    Loc l = L(a);
    if (a.first_line == b.last_line && b.last_column > a.first_column)
        l.len = b.last_column - a.first_column;
    return l;
}
/* Expressions nest at most this deep, so later passes may recurse over them safely. */
#define MAX_DEPTH 1000
static Ast *deep(Ast *n) {
    int d = 0;
    if (n->lhs && n->lhs->depth > d) d = n->lhs->depth;
    if (n->rhs && n->rhs->depth > d) d = n->rhs->depth;
    for (int i = 0; i < n->nargs; i++)
        if (n->args[i].value->depth > d) d = n->args[i].value->depth;
    n->depth = d + 1;
    if (n->depth > MAX_DEPTH) error_at(n->loc, "expression nested too deeply (more than %d levels)", MAX_DEPTH);
    return n;
}
static Ast *bin(int op, Ast *a, Ast *b, Loc loc) {
    Ast *n = new_ast(A_BIN, loc);
    n->binop = op; n->lhs = a; n->rhs = b;
    return deep(n);
}
static Stmt *stmt(StmtKind k, Loc loc) {
    Stmt *s = xcalloc(1, sizeof *s);
    s->kind = k; s->loc = loc;
    return s;
}
/* input/target NAME: DTYPE[dims] */
static Stmt *io_stmt(StmtKind k, char *name, YYLTYPE name_loc, int dtype, Vec *dims, Loc type_loc) {
    Stmt *s = stmt(k, L(name_loc));
    s->name = name;
    s->name_loc = L(name_loc);
    s->type.dtype = dtype;
    s->type.loc = type_loc;
    s->type.rank = dims->n;
    s->type.dims = xcalloc((size_t)dims->n, sizeof(AstDim));
    for (int i = 0; i < dims->n; i++) s->type.dims[i] = *(AstDim *)dims->v[i];
    return s;
}
static Stmt *stmts_of(Vec *v, int *n) {
    *n = v ? v->n : 0;
    Stmt *s = xcalloc((size_t)*n + 1, sizeof(Stmt));
    for (int i = 0; i < *n; i++) s[i] = *(Stmt *)v->v[i];
    return s;
}
static Arg *args_of(Vec *v, int *n) {
    *n = v ? v->n : 0;
    Arg *a = xcalloc((size_t)*n + 1, sizeof(Arg));
    for (int i = 0; i < *n; i++) a[i] = *(Arg *)v->v[i];
    return a;
}
static Vec *push(Vec *v, void *x) {
    if (!v) v = xcalloc(1, sizeof *v);
    vec_push(v, x);
    return v;
}
/* a, b, c = expr: one statement binding every name (the value must have as many parts) */
static Stmt *multi_assign(Vec *names, char *last, YYLTYPE last_loc, Ast *e) {
    Arg *a = xcalloc(1, sizeof *a);
    a->name = last; a->name_loc = L(last_loc);
    names = push(names, a);
    Stmt *s = stmt(S_ASSIGN, ((Arg *)names->v[0])->name_loc);
    s->names = args_of(names, &s->nnames);
    s->name = s->names[0].name; s->name_loc = s->names[0].name_loc;
    s->expr = e;
    return s;
}
static void set_args(Ast *n, Vec *args) {
    n->nargs = args ? args->n : 0;
    n->args = xcalloc((size_t)n->nargs + 1, sizeof(Arg));
    for (int i = 0; i < n->nargs; i++) n->args[i] = *(Arg *)args->v[i];
}
static void yyerror(const char *s);
}

%locations
%define parse.error custom

%union {
    char *str;
    NumTok num;
    int dtype;
    Ast *ast;
    Vec *vec;
    Arg *arg;
    Stmt *stmt;
    AstDim *dim;
}

%token <str> IDENT "identifier" STRING "string"
%token <num> NUMBER "number"
%token <dtype> DTYPE "type"
%token ARROW "'->'" MODEL "'model'" TRAIN "'train'" INPUT "'input'" TARGET "'target'"
%token CLASSES "'classes'" METRIC "'metric'" OUTPUT "'output'"
%token BLOCK "'block'" FORWARD "'forward'" RETURN "'return'" REPEAT "'repeat'"

%type <ast> expr sum term unary postfix primary sub expr_opt
%type <vec> subs
%type <vec> args args_opt mstmts tstmts dims assigns names names_opt
%type <arg> arg
%type <stmt> mstmt tstmt
%type <dim> dim

%%

file: %empty | file item ;

item
    : MODEL IDENT '{' mstmts '}' {
        if (result->model) error_at(L(@1), "a file holds one model; '%s' is the second", $2);
        ModelAst *m = xcalloc(1, sizeof *m);
        m->name = $2; m->loc = L(@2);
        m->nstmts = $4 ? $4->n : 0;
        m->stmts = xcalloc((size_t)m->nstmts + 1, sizeof(Stmt));
        for (int i = 0; i < m->nstmts; i++) m->stmts[i] = *(Stmt *)$4->v[i];
        result->model = m;
      }
    | BLOCK IDENT '(' args_opt ')' '{' assigns FORWARD '(' names_opt ')' '{' assigns RETURN expr '}' '}' {
        BlockAst *b = xcalloc(1, sizeof *b);
        b->name = $2; b->loc = L(@2);
        b->params = args_of($4, &b->nparams);
        for (int i = 0; i < b->nparams; i++) {   /* a parameter is NAME or NAME = default */
            Arg *a = &b->params[i];
            if (!a->name) {
                if (a->value->kind != A_NAME) error_at(a->value->loc, "a block parameter is a name, or name = default");
                a->name = a->value->name; a->name_loc = a->value->loc; a->value = NULL;
            }
        }
        b->decls = stmts_of($7, &b->ndecls);
        b->inputs = args_of($10, &b->ninputs);
        b->body = stmts_of($13, &b->nbody);
        b->ret = $15;
        result->blocks = xrealloc(result->blocks, sizeof(BlockAst *) * (size_t)(result->nblocks + 1));
        result->blocks[result->nblocks++] = b;
      }
    | TRAIN '{' tstmts '}' {
        if (result->has_train) error_at(L(@1), "a file holds one train section");
        result->has_train = true; result->train_loc = L(@1);
        result->ntrain = $3 ? $3->n : 0;
        result->train = xcalloc((size_t)result->ntrain + 1, sizeof(Stmt));
        for (int i = 0; i < result->ntrain; i++) result->train[i] = *(Stmt *)$3->v[i];
      }
    ;

mstmts: %empty { $$ = NULL; } | mstmts mstmt { $$ = $2 ? push($1, $2) : $1; } ;

mstmt
    : INPUT IDENT ':' DTYPE '[' dims ']' { $$ = io_stmt(S_INPUT, $2, @2, $4, $6, span(@4, @7)); }
    | TARGET IDENT ':' DTYPE '[' dims ']' { $$ = io_stmt(S_TARGET, $2, @2, $4, $6, span(@4, @7)); }
    | TARGET IDENT ':' DTYPE '[' dims ']' CLASSES NUMBER {
        $$ = io_stmt(S_TARGET, $2, @2, $4, $6, span(@4, @7));
        if (!$9.is_int || $9.v < 2 || $9.v > 1e9) error_at(L(@9), "classes must be an integer >= 2");
        $$->classes = (int64_t)$9.v;
      }
    | TARGET IDENT ':' DTYPE '[' dims ']' CLASSES IDENT {
        $$ = io_stmt(S_TARGET, $2, @2, $4, $6, span(@4, @7));
        $$->classes_name = $9; $$->classes_loc = L(@9);
      }
    | IDENT '=' expr { $$ = stmt(S_ASSIGN, L(@1)); $$->name = $1; $$->name_loc = L(@1); $$->expr = $3; }
    | names ',' IDENT '=' expr { $$ = multi_assign($1, $3, @3, $5); }
    | METRIC IDENT '(' args_opt ')' {
        $$ = stmt(S_METRIC, L(@2)); $$->name = $2; $$->name_loc = L(@2);
        Ast *callee = new_ast(A_NAME, L(@2)); callee->name = $2;
        $$->expr = new_ast(A_CALL, L(@2)); $$->expr->lhs = callee; set_args($$->expr, $4);
      }
    | OUTPUT names {
        $$ = stmt(S_OUTPUT, L(@2)); $$->names = args_of($2, &$$->nnames);
        $$->name = $$->names[0].name; $$->name_loc = $$->names[0].name_loc;
      }
    | ';' { $$ = NULL; }
    ;

assigns: %empty { $$ = NULL; }
    | assigns IDENT '=' expr {
        Stmt *s = stmt(S_ASSIGN, L(@2)); s->name = $2; s->name_loc = L(@2); s->expr = $4;
        $$ = push($1, s);
      }
    | assigns names ',' IDENT '=' expr { $$ = push($1, multi_assign($2, $4, @4, $6)); }
    | assigns ';' { $$ = $1; }
    ;

names_opt: %empty { $$ = NULL; } | names ;
names
    : IDENT { Arg *a = xcalloc(1, sizeof *a); a->name = $1; a->name_loc = L(@1); $$ = push(NULL, a); }
    | names ',' IDENT { Arg *a = xcalloc(1, sizeof *a); a->name = $3; a->name_loc = L(@3); $$ = push($1, a); }
    ;

dims: dim { $$ = push(NULL, $1); } | dims ',' dim { $$ = push($1, $3); } ;

dim
    : NUMBER {
        if (!$1.is_int || $1.v < 1 || $1.v > 1e12) error_at(L(@1), "a dimension must be a positive integer");
        $$ = xcalloc(1, sizeof *$$); $$->value = (int64_t)$1.v; $$->loc = L(@1);
      }
    | IDENT { $$ = xcalloc(1, sizeof *$$); $$->is_sym = true; $$->sym = $1; $$->loc = L(@1); }
    ;

tstmts: %empty { $$ = NULL; } | tstmts tstmt { $$ = $2 ? push($1, $2) : $1; } ;

tstmt
    : IDENT expr { $$ = stmt(S_SETTING, L(@1)); $$->name = $1; $$->name_loc = L(@1); $$->expr = $2; }
    | ';' { $$ = NULL; }
    ;

expr
    : sum
    | expr ARROW sum { $$ = new_ast(A_PIPE, L(@2)); $$->lhs = $1; $$->rhs = $3; deep($$); }
    ;

sum
    : term
    | sum '+' term { $$ = bin('+', $1, $3, L(@2)); }
    | sum '-' term { $$ = bin('-', $1, $3, L(@2)); }
    ;

term
    : unary
    | term '*' unary { $$ = bin('*', $1, $3, L(@2)); }
    | term '/' unary { $$ = bin('/', $1, $3, L(@2)); }
    ;

unary
    : postfix
    | '-' unary { $$ = new_ast(A_NEG, L(@1)); $$->lhs = $2; deep($$); }
    ;

postfix
    : primary
    | postfix '(' args_opt ')' {
        $$ = new_ast(A_CALL, $1->loc); $$->lhs = $1; set_args($$, $3); deep($$);
        for (int i = 1; i < $$->nargs; i++)
            if (!$$->args[i].name && $$->args[i - 1].name)
                error_at($$->args[i].value->loc, "positional argument after a keyword argument");
      }
    | postfix '[' subs ']' { $$ = new_ast(A_INDEX, L(@2)); $$->lhs = $1; set_args($$, $3); deep($$); }
    ;

/* x[:, -1], x[:, 2:5], x[:, -8:]: an index or a range per axis */
subs
    : sub { Arg *a = xcalloc(1, sizeof *a); a->value = $1; $$ = push(NULL, a); }
    | subs ',' sub { Arg *a = xcalloc(1, sizeof *a); a->value = $3; $$ = push($1, a); }
    ;
sub
    : expr
    | expr_opt ':' expr_opt { $$ = new_ast(A_RANGE, L(@2)); $$->lhs = $1; $$->rhs = $3; }
    ;
expr_opt: %empty { $$ = NULL; } | expr ;

primary
    : IDENT { $$ = new_ast(A_NAME, L(@1)); $$->name = $1; }
    | NUMBER { $$ = new_ast(A_NUM, L(@1)); $$->num = $1.v; $$->is_int = $1.is_int; }
    | STRING { $$ = new_ast(A_STR, L(@1)); $$->str = $1; }
    | '(' expr ')' { $$ = $2; }
    | '[' args_opt ']' { $$ = new_ast(A_LIST, L(@1)); set_args($$, $2); deep($$); }
    | REPEAT NUMBER IDENT '(' args_opt ')' {
        if (!$2.is_int || $2.v < 1 || $2.v > 1000) error_at(L(@2), "repeat wants a count from 1 to 1000");
        Ast *callee = new_ast(A_NAME, L(@3)); callee->name = $3;
        Ast *call = new_ast(A_CALL, L(@3)); call->lhs = callee; set_args(call, $5);
        $$ = new_ast(A_REPEAT, L(@1)); $$->num = $2.v; $$->lhs = call; deep($$);
      }
    ;

args_opt: %empty { $$ = NULL; } | args ;
args: arg { $$ = push(NULL, $1); } | args ',' arg { $$ = push($1, $3); } ;

arg
    : expr { $$ = xcalloc(1, sizeof *$$); $$->value = $1; }
    | IDENT '=' expr { $$ = xcalloc(1, sizeof *$$); $$->name = $1; $$->name_loc = L(@1); $$->value = $3; }
    ;

%%

/* "unexpected X, expected A, B or C" at the unexpected token. */
static int yyreport_syntax_error(const yypcontext_t *ctx) {
    yysymbol_kind_t exp[6];
    int n = yypcontext_expected_tokens(ctx, exp, 6);
    yysymbol_kind_t got = yypcontext_token(ctx);
    char msg[512];
    int len = snprintf(msg, sizeof msg, "syntax error: unexpected %s",
                       got == YYSYMBOL_YYEOF ? "end of file" : yysymbol_name(got));
    if (n > 0) {   /* 0: more than six candidates, too many to list */
        len += snprintf(msg + len, sizeof msg - (size_t)len, ", expected ");
        for (int i = 0; i < n && len < (int)sizeof msg; i++)
            len += snprintf(msg + len, sizeof msg - (size_t)len, "%s%s",
                            i == 0 ? "" : i == n - 1 ? " or " : ", ", yysymbol_name(exp[i]));
    }
    error_at(L(*yypcontext_location(ctx)), "%s", msg);
    return 0;
}

static void yyerror(const char *s) {
    if (strcmp(s, "memory exhausted") == 0) error_at(L(yylloc), "expression nested too deeply");
    error_at(L(yylloc), "%s", s);
}

FileAst *parse_file(const char *path, const char *text) {
    cur_file = path;
    result = xcalloc(1, sizeof *result);
    lexer_reset(text);
    if (yyparse() != 0) fatal("%s: could not parse", path);
    if (!result->model) {
        Loc l = {path, 1, 1, 1};
        error_at(l, "no model in this file (expected 'model NAME { ... }')");
    }
    return result;
}
