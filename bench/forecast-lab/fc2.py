import math, numpy as np
from load import *
from fc import fit_family, improving
import fc
def fcast(X,Y,H,frac=0.5,fams=('pow','exp'),agg='mean',AL=fc.AL,BE=fc.BE):
    x=np.array(X,float); y=np.array(Y,float); k=len(x)
    start=int(k*(1-frac)); 
    if k-start<4: start=max(0,k-4)
    xr=x[start:]; yr=y[start:]
    off = 1.0 - x[0] if x[0] < 1 else 0.0
    preds=[];sses=[]
    span = xr[-1]-xr[0] if xr[-1]>xr[0] else 1
    for fam in fams:
        bestf=None
        for g in (AL if fam=='pow' else BE):
            if fam=='pow': u=(xr+off)**(-g); uH=(H+off)**(-g)
            else: u=np.exp(-g*(xr-xr[0])/span); uH=math.exp(-g*(H-xr[0])/span)
            r=fit_family(u,yr)
            if r is None: continue
            c,a,sse=r
            if a<=0: continue
            if bestf is None or sse<bestf[1]: bestf=(c+a*uH,sse)
        if bestf: preds.append(bestf[0]); sses.append(bestf[1])
    if not preds: return None
    p={'mean':np.mean,'min':min,'max':max}[agg](preds)
    return min(p,np.nanmin(y)), preds, sses, len(yr)
def run(**kw):
    out=[]
    for name,paths in sets().items():
        R=load(paths)
        for cut in (0.2,0.5):
            rows=[]
            for rid,(xs,ys,cfg) in R.items():
                pts=[(a,b) for a,b in zip(xs,ys) if b==b and abs(b)!=float('inf')]
                if len(pts)<10: continue
                X=[a for a,_ in pts]; Y=[b for _,b in pts]
                k=max(int(round(len(X)*cut)),5)
                if not improving(Y[:k]): continue
                f=fcast(X[:k],Y[:k],X[-1],**kw)
                if f is None: continue
                t=min(Y); s=abs(t) or 1
                rows.append((abs(f[0]-t)/s, abs(min(Y[:k])-t)/s))
            a=np.array(rows)
            out.append(f"{name[:3]}{cut}:{np.median(a[:,0])/np.median(a[:,1]):.2f}")
    print(kw, ' '.join(out))
for frac in (0.5,0.67,1.0):
  for fams in (('pow',),('exp',),('pow','exp')):
    for agg in (('mean','min') if len(fams)>1 else ('mean',)):
        run(frac=frac,fams=fams,agg=agg)
