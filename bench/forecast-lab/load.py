import json, glob, math, collections, os
def load(paths):
    runs = collections.OrderedDict()
    cfg = {}
    for p in paths:
        for line in open(p):
            line=line.strip()
            if not line: continue
            try: e=json.loads(line)
            except Exception: continue
            rid=e.get('run_id')
            if rid is None: continue
            t=e.get('type','metrics')
            if t=='run_started': cfg[rid]=e.get('config') or {}; runs.setdefault(rid,{}); continue
            if t!='metrics': continue
            m=e.get('metrics') or {}
            v=m.get('val_loss', e.get('val_loss'))
            x=e.get('epoch'); 
            if x is None: x=e.get('step')
            if x is None: continue
            try: v=float(v)
            except Exception: v=float('nan')
            runs.setdefault(rid,{})[float(x)]=v
    out={}
    for rid,d in runs.items():
        xs=sorted(d); ys=[d[x] for x in xs]
        out[rid]=(xs,ys,cfg.get(rid,{}))
    return out
def sets():
    S={}
    S['dev']=glob.glob('/work/shared/curves/dev/*.jsonl')
    S['corpus']=glob.glob('/work/main/bench/corpus/*.jsonl')
    S['external']=glob.glob('/work/shared/curves/external/*.jsonl')
    return {k:[p for p in v if not p.endswith('labels.jsonl')] for k,v in S.items()}
